namespace Gatehouse.Core.Teams;

/// <summary>A group of users (one dialect switches the "current team" in its tokens).</summary>
public sealed class Team
{
    public long Number { get; set; }
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class TeamMember
{
    public string TeamId { get; set; } = "";
    public string UserId { get; set; } = "";

    /// <summary><c>owner</c> or <c>member</c>.</summary>
    public string Role { get; set; } = TeamRoles.Member;

    public DateTimeOffset CreatedAt { get; set; }
}

public static class TeamRoles
{
    public const string Owner = "owner";
    public const string Member = "member";

    public static bool IsValid(string role) => role is Owner or Member;
}

public interface ITeamRepository
{
    Task<Team?> FindAsync(string id, CancellationToken cancellationToken = default);
    Task<Common.Page<Team>> ListAsync(int offset, int limit, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<TeamMember>> MembersAsync(string teamId, CancellationToken cancellationToken = default);
    Task<IReadOnlyList<TeamMember>> MembershipsAsync(string userId, CancellationToken cancellationToken = default);
    Task<TeamMember?> FindMemberAsync(string teamId, string userId, CancellationToken cancellationToken = default);
    void Add(Team team);
    void Remove(Team team);
    void AddMember(TeamMember member);
    void RemoveMember(TeamMember member);
}
