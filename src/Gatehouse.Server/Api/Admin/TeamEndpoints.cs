using System.Text.Json.Serialization;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Core.Teams;
using Gatehouse.Server.Api.Native;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gatehouse.Server.Api.Admin;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TeamRequest(string? Name);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TeamMemberRequest(string? Role);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record InvitationCreateRequest(string? Email, string? FirstName, string? LastName, string? TeamId, string? TeamRole);

public sealed record TeamMemberResponse(string UserId, string Role, DateTimeOffset CreatedAt)
{
    public static TeamMemberResponse From(TeamMember m) => new(m.UserId, m.Role, m.CreatedAt);
}

public sealed record TeamResponse(string Id, long Number, string Name, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<TeamMemberResponse>? Members)
{
    public static TeamResponse From(Team t, IReadOnlyList<TeamMember>? members = null) =>
        new(t.Id, t.Number, t.Name, t.CreatedAt, t.UpdatedAt, members?.Select(TeamMemberResponse.From).ToList());
}

public sealed record InvitationResponse(string UserId, string Email, DateTimeOffset ExpiresAt);

[JsonSerializable(typeof(TeamRequest))]
[JsonSerializable(typeof(TeamMemberRequest))]
[JsonSerializable(typeof(InvitationCreateRequest))]
[JsonSerializable(typeof(TeamResponse))]
[JsonSerializable(typeof(TeamMemberResponse))]
[JsonSerializable(typeof(InvitationResponse))]
[JsonSerializable(typeof(PageResponse<TeamResponse>))]
[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class TeamJsonContext : JsonSerializerContext;

/// <summary>Teams, members and invitations under <c>/api/v1/admin</c>.</summary>
internal static class TeamEndpoints
{
    public static RouteGroupBuilder MapTeamEndpoints(this RouteGroupBuilder admin)
    {
        var teams = admin.MapGroup("/teams").WithTags("Admin: teams");
        teams.MapGet("", ListAsync).WithName("AdminListTeams");
        teams.MapPost("", CreateAsync).WithName("AdminCreateTeam");
        teams.MapGet("/{id}", GetAsync).WithName("AdminGetTeam").WithSummary("A team with its members.");
        teams.MapPatch("/{id}", RenameAsync).WithName("AdminRenameTeam");
        teams.MapDelete("/{id}", DeleteAsync).WithName("AdminDeleteTeam");
        teams.MapPut("/{id}/members/{userId}", SetMemberAsync).WithName("AdminSetTeamMember").WithSummary("Adds a user to the team or changes their role (owner or member).");
        teams.MapDelete("/{id}/members/{userId}", RemoveMemberAsync).WithName("AdminRemoveTeamMember");

        admin.MapPost("/invitations", InviteAsync).WithTags("Admin: invitations").WithName("AdminInvite")
            .WithSummary("Invites an email address (optionally into a team) and emails a single-use link.");
        return admin;
    }

    private static RequestContext Context(HttpContext http) => http.ToRequestContext(Surfaces.Admin);

    private static async Task<Ok<PageResponse<TeamResponse>>> ListAsync(TeamService teams, int? offset, int? limit, CancellationToken ct)
    {
        var page = await teams.ListAsync(offset ?? 0, limit ?? 50, ct);
        return TypedResults.Ok(new PageResponse<TeamResponse>(page.Items.Select(t => TeamResponse.From(t)).ToList(), page.Total, page.Offset, page.Limit));
    }

    private static async Task<Results<Created<TeamResponse>, ProblemHttpResult>> CreateAsync(TeamRequest request, TeamService teams, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await teams.CreateAsync(request.Name, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Created($"{AdminEndpoints.BasePath}/teams/{result.Value.Id}", TeamResponse.From(result.Value, [])) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<TeamResponse>, ProblemHttpResult>> GetAsync(string id, TeamService teams, CancellationToken ct)
    {
        var result = await teams.GetAsync(id, ct);
        return result.Succeeded ? TypedResults.Ok(TeamResponse.From(result.Value.Team, result.Value.Members)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<TeamResponse>, ProblemHttpResult>> RenameAsync(string id, TeamRequest request, TeamService teams, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await teams.RenameAsync(id, request.Name, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Ok(TeamResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, TeamService teams, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await teams.DeleteAsync(id, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Ok<TeamMemberResponse>, ProblemHttpResult>> SetMemberAsync(string id, string userId, TeamMemberRequest request, TeamService teams, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await teams.SetMemberAsync(id, userId, request.Role, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.Ok(TeamMemberResponse.From(result.Value)) : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RemoveMemberAsync(string id, string userId, TeamService teams, Caller caller, HttpContext http, CancellationToken ct)
    {
        var result = await teams.RemoveMemberAsync(id, userId, caller.UserId, Context(http), ct);
        return result.Succeeded ? TypedResults.NoContent() : NativeProblems.From(result.Error!);
    }

    private static async Task<Results<Created<InvitationResponse>, ProblemHttpResult>> InviteAsync(InvitationCreateRequest request, InvitationService invitations, Caller caller, HttpContext http, CancellationToken ct)
    {
        if (request.Email is null)
        {
            return NativeProblems.Required("email");
        }
        var result = await invitations.SendAsync(
            new InvitationRequest { Email = request.Email, FirstName = request.FirstName, LastName = request.LastName, TeamId = request.TeamId, TeamRole = request.TeamRole },
            null, caller.UserId, Context(http), ct);
        return result.Succeeded
            ? TypedResults.Created($"{AdminEndpoints.BasePath}/users/{result.Value.User.Id}", new InvitationResponse(result.Value.User.Id, result.Value.User.Email!, result.Value.ExpiresAt))
            : NativeProblems.From(result.Error!);
    }
}
