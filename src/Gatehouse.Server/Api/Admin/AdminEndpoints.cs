using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Common;
using Gatehouse.Server.Api.Native;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Api.Admin;

/// <summary>The admin API under <c>/api/v1/admin</c> (role <c>admin</c>).</summary>
internal static class AdminEndpoints
{
    public const string BasePath = "/api/v1/admin";

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup(BasePath).RequireNativeBearer().RequireAdmin();

        var users = admin.MapGroup("/users").WithTags("Admin: users");
        users.MapGet("", ListUsersAsync).WithName("AdminListUsers").WithSummary("Users, paged, optionally filtered by email or username.");
        users.MapPost("", CreateUserAsync).WithName("AdminCreateUser").WithSummary("Creates a user.");
        users.MapGet("/{id}", GetUserAsync).WithName("AdminGetUser");
        users.MapPatch("/{id}", UpdateUserAsync).WithName("AdminUpdateUser");
        users.MapPut("/{id}/disabled", SetDisabledAsync).WithName("AdminSetDisabled").WithSummary("Disables or re-enables a user; disabling ends their sessions.");
        users.MapPut("/{id}/roles", SetRolesAsync).WithName("AdminSetRoles");
        users.MapDelete("/{id}", DeleteUserAsync).WithName("AdminDeleteUser").WithSummary("Deletes a user; their email stays refused for sign-up.");
        users.MapDelete("/{id}/sessions", EndSessionsAsync).WithName("AdminEndSessions").WithSummary("Ends every session of a user.");

        var clients = admin.MapGroup("/clients").WithTags("Admin: clients");
        clients.MapGet("", ListClientsAsync).WithName("AdminListClients");
        clients.MapPost("", CreateClientAsync).WithName("AdminCreateClient").WithSummary("Creates an OAuth client; a secret is generated when none is given.");
        clients.MapGet("/{clientId}", GetClientAsync).WithName("AdminGetClient").WithSummary("A client, with its secret.");
        clients.MapPatch("/{clientId}", UpdateClientAsync).WithName("AdminUpdateClient");
        clients.MapDelete("/{clientId}", DeleteClientAsync).WithName("AdminDeleteClient");

        admin.MapTeamEndpoints();
        admin.MapClientAccessEndpoints();
        admin.MapGet("/audit-events", ListAuditEventsAsync).WithTags("Admin: audit").WithName("AdminListAuditEvents");
        return app;
    }

    private static RequestContext Context(HttpContext http) => http.ToRequestContext(Core.Common.Surfaces.Admin);

    private static async Task<Ok<PageResponse<UserResponse>>> ListUsersAsync(AdminService admin, string? search, int? offset, int? limit, CancellationToken ct)
    {
        var page = await admin.ListUsersAsync(search, offset ?? 0, limit ?? 50, ct);
        return TypedResults.Ok(new PageResponse<UserResponse>(page.Items.Select(UserResponse.From).ToList(), page.Total, page.Offset, page.Limit));
    }

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult>> CreateUserAsync(AdminCreateUserRequest request, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        if (request.Password is null || (request.Email is null && request.Username is null))
        {
            return NativeProblems.Required(request.Password is null ? "password" : "email");
        }
        var result = await admin.CreateUserAsync(
            new RegistrationRequest { Email = request.Email, Username = request.Username, Password = request.Password, FirstName = request.FirstName, LastName = request.LastName },
            request.Roles ?? [], request.EmailConfirmed ?? false, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Created($"{BasePath}/users/{result.Value.Id}", UserResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetUserAsync(string id, AdminService admin, CancellationToken ct) =>
        await admin.GetUserAsync(id, ct) is { Succeeded: true } found ? TypedResults.Ok(UserResponse.From(found.Value)) : NativeProblems.From(CoreErrors.NotFound);

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> UpdateUserAsync(string id, AdminUpdateUserRequest request, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await admin.UpdateUserAsync(id, request.ToCore(), request.EmailConfirmed, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Ok(UserResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> SetDisabledAsync(string id, SetDisabledRequest request, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        if (request.Disabled is null)
        {
            return NativeProblems.Required("disabled");
        }
        var result = await admin.SetDisabledAsync(id, request.Disabled.Value, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Ok(UserResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> SetRolesAsync(string id, SetRolesRequest request, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        if (request.Roles is null)
        {
            return NativeProblems.Required("roles");
        }
        var result = await admin.SetRolesAsync(id, request.Roles, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Ok(UserResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteUserAsync(string id, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await admin.DeleteUserAsync(id, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EndSessionsAsync(string id, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await admin.EndSessionsAsync(id, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Ok<PageResponse<ClientResponse>>> ListClientsAsync(AdminService admin, int? offset, int? limit, CancellationToken ct)
    {
        var page = await admin.ListClientsAsync(offset ?? 0, limit ?? 50, ct);
        return TypedResults.Ok(new PageResponse<ClientResponse>(page.Items.Select(c => ClientResponse.From(c, null)).ToList(), page.Total, page.Offset, page.Limit));
    }

    private static async Task<Results<Created<ClientResponse>, ProblemHttpResult>> CreateClientAsync(ClientRequest request, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await admin.CreateClientAsync(ToChange(request), caller.UserId, Context(http), ct);
        return result.Succeeded
            ? TypedResults.Created($"{BasePath}/clients/{result.Value.ClientId}", ClientResponse.From(result.Value, admin.RevealSecret(result.Value)))
            : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<ClientResponse>, ProblemHttpResult>> GetClientAsync(string clientId, AdminService admin, CancellationToken ct)
    {
        var result = await admin.GetClientAsync(clientId, ct);
        return result.Succeeded ? TypedResults.Ok(ClientResponse.From(result.Value, admin.RevealSecret(result.Value))) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<ClientResponse>, ProblemHttpResult>> UpdateClientAsync(string clientId, ClientRequest request, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        if (request.ClientId is not null && request.ClientId != clientId)
        {
            return NativeProblems.Problem(StatusCodes.Status400BadRequest, CoreErrors.ValidationFailedCode, "The client id cannot be changed.");
        }
        var result = await admin.UpdateClientAsync(clientId, ToChange(request), caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Ok(ClientResponse.From(result.Value, admin.RevealSecret(result.Value))) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteClientAsync(string clientId, AdminService admin, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await admin.DeleteClientAsync(clientId, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Ok<PageResponse<AuditEventResponse>>> ListAuditEventsAsync(IAuditLog audit, string? userId, string? type, int? offset, int? limit, CancellationToken ct)
    {
        var page = await audit.ListAsync(userId, type, Math.Max(0, offset ?? 0), Math.Clamp(limit ?? 50, 1, 200), ct);
        return TypedResults.Ok(new PageResponse<AuditEventResponse>(page.Items.Select(AuditEventResponse.From).ToList(), page.Total, page.Offset, page.Limit));
    }

    private static ClientChange ToChange(ClientRequest r) => new()
    {
        ClientId = r.ClientId,
        Name = r.Name,
        Secret = r.Secret,
        RedirectUris = r.RedirectUris,
        AccessTokenLifetimeSeconds = r.AccessTokenLifetimeSeconds,
        RefreshTokenLifetimeSeconds = r.RefreshTokenLifetimeSeconds,
        AuthorizationCodeLifetimeSeconds = r.AuthorizationCodeLifetimeSeconds,
        RotateRefreshTokens = r.RotateRefreshTokens,
    };
}
