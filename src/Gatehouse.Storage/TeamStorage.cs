using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Core.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gatehouse.Storage;

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> builder)
    {
        builder.ToTable("teams");
        builder.HasKey(t => t.Number);
        builder.Property(t => t.Number).ValueGeneratedOnAdd();
        builder.HasAlternateKey(t => t.Id);
    }
}

internal sealed class TeamMemberConfiguration : IEntityTypeConfiguration<TeamMember>
{
    public void Configure(EntityTypeBuilder<TeamMember> builder)
    {
        builder.ToTable("team_members");
        builder.HasKey(m => new { m.TeamId, m.UserId });
        builder.HasOne<Team>().WithMany().HasForeignKey(m => m.TeamId).HasPrincipalKey(t => t.Id);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.UserId).HasPrincipalKey(u => u.Id);
    }
}

internal sealed class EfTeamRepository(GatehouseDbContext db) : ITeamRepository
{
    public Task<Team?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        db.Set<Team>().FirstOrDefaultAsync(t => t.Id == id, cancellationToken);

    public async Task<Page<Team>> ListAsync(int offset, int limit, CancellationToken cancellationToken = default)
    {
        var query = db.Set<Team>().AsNoTracking();
        var total = await query.CountAsync(cancellationToken);
        var items = await query.OrderBy(t => t.Number).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return new Page<Team>(items, total, offset, limit);
    }

    public async Task<IReadOnlyList<TeamMember>> MembersAsync(string teamId, CancellationToken cancellationToken = default) =>
        await db.Set<TeamMember>().Where(m => m.TeamId == teamId).OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);

    public async Task<IReadOnlyList<TeamMember>> MembershipsAsync(string userId, CancellationToken cancellationToken = default) =>
        await db.Set<TeamMember>().AsNoTracking().Where(m => m.UserId == userId).OrderBy(m => m.CreatedAt).ToListAsync(cancellationToken);

    public Task<TeamMember?> FindMemberAsync(string teamId, string userId, CancellationToken cancellationToken = default) =>
        db.Set<TeamMember>().FirstOrDefaultAsync(m => m.TeamId == teamId && m.UserId == userId, cancellationToken);

    public void Add(Team team) => db.Set<Team>().Add(team);

    public void Remove(Team team) => db.Set<Team>().Remove(team);

    public void AddMember(TeamMember member) => db.Set<TeamMember>().Add(member);

    public void RemoveMember(TeamMember member) => db.Set<TeamMember>().Remove(member);
}
