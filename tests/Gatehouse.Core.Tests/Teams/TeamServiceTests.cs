using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Teams;

/// <summary>TeamService: teams and their members.</summary>
public sealed class TeamServiceTests
{
    private readonly CoreHarness _h = new();

    private async Task<Team> CreateAsync(string name = "Engineering") => (await _h.Teams.CreateAsync(name, "usr_admin", CoreHarness.Native)).Value;

    [Fact]
    public async Task A_team_is_created_with_a_trimmed_name_and_audited()
    {
        var team = await CreateAsync("  Engineering ");

        var read = (await _h.Teams.GetAsync(team.Id)).Value;
        Assert.Equal("Engineering", read.Team.Name);
        Assert.StartsWith("team_", team.Id, StringComparison.Ordinal);
        Assert.Empty(read.Members);
        Assert.Single(_h.AuditRows(AuditTypes.AdminTeamCreated), e => e.Detail == team.Id && e.ActorId == "usr_admin");
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("   ", "required")]
    public async Task A_team_needs_a_name(string? name, string rule)
    {
        Assert.Equal([rule], (await _h.Teams.CreateAsync(name, "usr_admin", CoreHarness.Native)).Error!.Fields["name"]);
    }

    [Fact]
    public async Task A_team_name_has_a_maximum_length()
    {
        var team = await CreateAsync();

        Assert.Equal(["too_long"], (await _h.Teams.CreateAsync(new string('n', 201), "usr_admin", CoreHarness.Native)).Error!.Fields["name"]);
        Assert.Equal(["too_long"], (await _h.Teams.RenameAsync(team.Id, new string('n', 201), "usr_admin", CoreHarness.Native)).Error!.Fields["name"]);
    }

    [Fact]
    public async Task A_team_can_be_renamed()
    {
        var team = await CreateAsync();
        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        await _h.Teams.RenameAsync(team.Id, "Research", "usr_admin", CoreHarness.Native);

        var read = (await _h.Teams.GetAsync(team.Id)).Value.Team;
        Assert.Equal("Research", read.Name);
        Assert.Equal(CoreHarness.Start.AddMinutes(1), read.UpdatedAt);
    }

    [Fact]
    public async Task Setting_a_member_twice_changes_the_role_instead_of_adding_a_second_row()
    {
        var team = await CreateAsync();
        var user = await _h.RegisterAsync("ada@example.com");

        await _h.Teams.SetMemberAsync(team.Id, user.Id, null, "usr_admin", CoreHarness.Native);
        var changed = await _h.Teams.SetMemberAsync(team.Id, user.Id, TeamRoles.Owner, "usr_admin", CoreHarness.Native);

        Assert.Equal(TeamRoles.Owner, changed.Value.Role);
        var member = Assert.Single(_h.Database.Select<TeamMember>(_h.Database.TeamMembers));
        Assert.Equal(TeamRoles.Owner, member.Role);
    }

    [Fact]
    public async Task An_unknown_team_role_is_refused()
    {
        var team = await CreateAsync();
        var user = await _h.RegisterAsync("ada@example.com");

        Assert.Equal(["unknown"], (await _h.Teams.SetMemberAsync(team.Id, user.Id, "boss", "usr_admin", CoreHarness.Native)).Error!.Fields["role"]);
    }

    [Fact]
    public async Task A_member_must_be_a_live_user_of_an_existing_team()
    {
        var team = await CreateAsync();
        var user = await _h.RegisterAsync("ada@example.com");
        var deleted = await _h.RegisterAsync("gone@example.com");
        await _h.Admin.DeleteUserAsync(deleted.Id, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Teams.SetMemberAsync("team_missing", user.Id, null, "usr_admin", CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Teams.SetMemberAsync(team.Id, "usr_missing", null, "usr_admin", CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Teams.SetMemberAsync(team.Id, deleted.Id, null, "usr_admin", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_member_can_be_removed_once()
    {
        var team = await CreateAsync();
        var user = await _h.RegisterAsync("ada@example.com");
        await _h.Teams.SetMemberAsync(team.Id, user.Id, null, "usr_admin", CoreHarness.Native);

        Assert.True((await _h.Teams.RemoveMemberAsync(team.Id, user.Id, "usr_admin", CoreHarness.Native)).Succeeded);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Teams.RemoveMemberAsync(team.Id, user.Id, "usr_admin", CoreHarness.Native)).Error?.Code);
        Assert.Empty(_h.Database.Select<TeamMember>(_h.Database.TeamMembers));
    }

    [Fact]
    public async Task Deleting_a_team_removes_its_memberships_and_no_one_else_s()
    {
        var team = await CreateAsync();
        var other = await CreateAsync("Other");
        var user = await _h.RegisterAsync("ada@example.com");
        await _h.Teams.SetMemberAsync(team.Id, user.Id, null, "usr_admin", CoreHarness.Native);
        await _h.Teams.SetMemberAsync(other.Id, user.Id, null, "usr_admin", CoreHarness.Native);

        Assert.True((await _h.Teams.DeleteAsync(team.Id, "usr_admin", CoreHarness.Native)).Succeeded);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Teams.GetAsync(team.Id)).Error?.Code);
        Assert.Equal([other.Id], _h.Database.Select<TeamMember>(_h.Database.TeamMembers).Select(m => m.TeamId));
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Teams.DeleteAsync(team.Id, "usr_admin", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Teams_are_listed_in_creation_order_with_a_clamped_page_size()
    {
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync($"Team {i}");
        }

        var page = await _h.Teams.ListAsync(-5, 2);
        var huge = await _h.Teams.ListAsync(0, 10_000);

        Assert.Equal(["Team 0", "Team 1"], page.Items.Select(t => t.Name));
        Assert.Equal((3, 0), (page.Total, page.Offset));
        Assert.Equal(200, huge.Limit);
    }
}
