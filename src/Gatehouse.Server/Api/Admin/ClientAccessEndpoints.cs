using Gatehouse.Core.Clients;
using Gatehouse.Server.Api.Native;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Api.Admin;

/// <summary>Which clients a user may sign in through (CONTRACTS.md 001: users are allowed on a list of clients).</summary>
internal static class ClientAccessEndpoints
{
    public static RouteGroupBuilder MapClientAccessEndpoints(this RouteGroupBuilder admin)
    {
        var users = admin.MapGroup("/users").WithTags("Admin: users");
        users.MapPut("/{id}/clients/{clientId}", AllowAsync).WithName("AdminAllowClient").WithSummary("Lets a user sign in through a client.");
        users.MapDelete("/{id}/clients/{clientId}", DisallowAsync).WithName("AdminDisallowClient").WithSummary("Stops a user signing in through a client.");
        return admin;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AllowAsync(string id, string clientId, ClientSignInService service, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await service.AllowAsync(id, clientId, http.ToRequestContext(Core.Common.Surfaces.Admin), caller.UserId, ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DisallowAsync(string id, string clientId, ClientSignInService service, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await service.DisallowAsync(id, clientId, http.ToRequestContext(Core.Common.Surfaces.Admin), caller.UserId, ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }
}
