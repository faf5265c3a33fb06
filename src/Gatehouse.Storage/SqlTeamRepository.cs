using Gatehouse.Core.Common;
using Gatehouse.Core.Teams;
using Gatehouse.Storage.Sql;

namespace Gatehouse.Storage;

// A repository of one unit of work (SqlSession). The SQL is the same on SQLite and
// PostgreSQL unless a comment says otherwise; every value is a parameter.

internal sealed class SqlTeamRepository(SqlSession db) : ITeamRepository
{
    private static readonly EntityMap<Team> Map = Maps.Teams;
    private static readonly EntityMap<TeamMember> Members = Maps.TeamMembers;

    public Task<Team?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Map, Tracking.Track, $"SELECT {Map.Select} FROM teams WHERE id = @p0", [id], cancellationToken);

    public Task<Page<Team>> ListAsync(int offset, int limit, CancellationToken cancellationToken = default) =>
        db.PageAsync(Map, "", "number", [], offset, limit, cancellationToken);

    public async Task<IReadOnlyList<TeamMember>> MembersAsync(string teamId, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Members, Tracking.Track, $"SELECT {Members.Select} FROM team_members WHERE team_id = @p0 ORDER BY created_at", [teamId], cancellationToken);

    public async Task<IReadOnlyList<TeamMember>> MembershipsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.QueryAsync(Members, Tracking.None, $"SELECT {Members.Select} FROM team_members WHERE user_id = @p0 ORDER BY created_at", [userId], cancellationToken);

    public Task<TeamMember?> FindMemberAsync(string teamId, string userId, CancellationToken cancellationToken = default) =>
        db.FirstAsync(Members, Tracking.Track, $"SELECT {Members.Select} FROM team_members WHERE team_id = @p0 AND user_id = @p1", [teamId, userId], cancellationToken);

    public void Add(Team team) => db.Add(Map, team);

    public void Remove(Team team) => db.Remove(Map, team);

    public void AddMember(TeamMember member) => db.Add(Members, member);

    public void RemoveMember(TeamMember member) => db.Remove(Members, member);
}
