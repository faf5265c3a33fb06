using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Teams;

public sealed record TeamDetails(Team Team, IReadOnlyList<TeamMember> Members);

/// <summary>Teams and their members, administered through the admin API. Every change is audited.</summary>
public sealed class TeamService(ITeamRepository teams, IUserRepository users, IUnitOfWork unitOfWork, IAuditLog audit, TimeProvider time)
{
    public const int MaxNameLength = 200;

    public Task<Page<Team>> ListAsync(int offset, int limit, CancellationToken cancellationToken = default) =>
        teams.ListAsync(Math.Max(0, offset), Math.Clamp(limit, 1, 200), cancellationToken);

    public async Task<Result<TeamDetails>> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        var team = await teams.FindAsync(id, cancellationToken);
        return team is null ? CoreErrors.NotFound : new TeamDetails(team, await teams.MembersAsync(id, cancellationToken));
    }

    public async Task<Result<Team>> CreateAsync(string? name, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (ValidateName(name) is { } invalid)
        {
            return invalid;
        }
        var now = time.GetUtcNow();
        var team = new Team { Id = SecureTokens.NewId("team"), Name = name!.Trim(), CreatedAt = now, UpdatedAt = now };
        teams.Add(team);
        audit.Record(time, AuditTypes.AdminTeamCreated, context, null, actorId, detail: team.Id);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return team;
    }

    public async Task<Result<Team>> RenameAsync(string id, string? name, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        if (ValidateName(name) is { } invalid)
        {
            return invalid;
        }
        var team = await teams.FindAsync(id, cancellationToken);
        if (team is null)
        {
            return CoreErrors.NotFound;
        }
        team.Name = name!.Trim();
        team.UpdatedAt = time.GetUtcNow();
        audit.Record(time, AuditTypes.AdminTeamUpdated, context, null, actorId, detail: team.Id);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return team;
    }

    public async Task<Result> DeleteAsync(string id, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var team = await teams.FindAsync(id, cancellationToken);
        if (team is null)
        {
            return CoreErrors.NotFound;
        }
        foreach (var member in await teams.MembersAsync(id, cancellationToken))
        {
            teams.RemoveMember(member);
        }
        teams.Remove(team);
        audit.Record(time, AuditTypes.AdminTeamDeleted, context, null, actorId, detail: id);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    /// <summary>Adds a user to a team, or changes their role in it.</summary>
    public async Task<Result<TeamMember>> SetMemberAsync(string teamId, string userId, string? role, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        role ??= TeamRoles.Member;
        if (!TeamRoles.IsValid(role))
        {
            return CoreErrors.Validation("role", "unknown", $"Unknown team role '{role}' (owner or member).");
        }
        if (await teams.FindAsync(teamId, cancellationToken) is null || await users.FindByIdAsync(userId, cancellationToken) is not { Status: not UserStatus.Deleted })
        {
            return CoreErrors.NotFound;
        }
        var member = await teams.FindMemberAsync(teamId, userId, cancellationToken);
        if (member is null)
        {
            member = new TeamMember { TeamId = teamId, UserId = userId, Role = role, CreatedAt = time.GetUtcNow() };
            teams.AddMember(member);
        }
        else
        {
            member.Role = role;
        }
        audit.Record(time, AuditTypes.AdminTeamMemberSet, context, userId, actorId, detail: $"{teamId}: {role}");
        var saved = await unitOfWork.SaveChangesAsync(cancellationToken);
        if (saved.Outcome == SaveOutcome.UniqueViolation)
        {
            // A concurrent request added the same member: the outcome is the same.
            unitOfWork.Reset();
            return await teams.FindMemberAsync(teamId, userId, cancellationToken) is { } existing ? existing : CoreErrors.NotFound;
        }
        return member;
    }

    public async Task<Result> RemoveMemberAsync(string teamId, string userId, string actorId, RequestContext context, CancellationToken cancellationToken = default)
    {
        var member = await teams.FindMemberAsync(teamId, userId, cancellationToken);
        if (member is null)
        {
            return CoreErrors.NotFound;
        }
        teams.RemoveMember(member);
        audit.Record(time, AuditTypes.AdminTeamMemberRemoved, context, userId, actorId, detail: teamId);
        await unitOfWork.SaveChangesAsync(cancellationToken);
        return Result.Ok;
    }

    private static CoreError? ValidateName(string? name) =>
        string.IsNullOrWhiteSpace(name) ? CoreErrors.Validation("name", "required", "A team name is required.")
        : name.Length > MaxNameLength ? CoreErrors.Validation("name", "too_long", "The team name is too long.")
        : null;
}
