using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Teams;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Accounts;

/// <summary>InvitationService: invite, check and accept.</summary>
public sealed class InvitationTests
{
    private const string Email = "guest@example.com";
    private readonly CoreHarness _h = new();

    private async Task<SentInvitation> InviteAsync(string? teamId = null, string? role = null)
    {
        var sent = await _h.Invitations.SendAsync(new InvitationRequest { Email = Email, FirstName = "Grace", TeamId = teamId, TeamRole = role }, null, "usr_admin", CoreHarness.Native);
        Assert.True(sent.Succeeded, sent.Error?.ToString());
        return sent.Value;
    }

    private async Task<Team> TeamAsync() => (await _h.Teams.CreateAsync("Engineering", "usr_admin", CoreHarness.Native)).Value;

    [Fact]
    public async Task An_invitation_keeps_a_pending_account_without_a_password_and_mails_a_link()
    {
        var sent = await InviteAsync();

        var user = _h.UserRow(sent.User.Id)!;
        Assert.Equal(UserStatus.Pending, user.Status);
        Assert.Null(user.PasswordHash);
        Assert.Equal(CoreHarness.Start + _h.Options.Tokens.InvitationLifetime, sent.ExpiresAt);
        Assert.Equal(nameof(MailIntent.Invitation), Assert.Single(_h.OutboxRows()).Intent);
        Assert.Contains("https://auth.test/account/accept-invitation?token=", _h.MailTo(Email)[0].TextBody, StringComparison.Ordinal);
        Assert.Single(_h.AuditRows(AuditTypes.AdminInvitationSent), e => e.ActorId == "usr_admin");
    }

    [Fact]
    public async Task A_pending_account_cannot_sign_in_before_it_accepts()
    {
        await InviteAsync();

        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.SignIn.SignInAsync(Email, "any password at all", CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Accepting_sets_the_password_confirms_the_email_and_joins_the_team()
    {
        var team = await TeamAsync();
        var sent = await InviteAsync(team.Id, TeamRoles.Owner);

        var accepted = await _h.Invitations.AcceptAsync(_h.TokenMailedTo(Email), CoreHarness.Password, null, "Hopper", CoreHarness.Native);

        Assert.True(accepted.Succeeded, accepted.Error?.ToString());
        var user = _h.UserRow(sent.User.Id)!;
        Assert.Equal(UserStatus.Active, user.Status);
        Assert.True(user.EmailConfirmed);
        Assert.Equal("Grace", user.FirstName);
        Assert.Equal("Hopper", user.LastName);
        var member = Assert.Single((await _h.Teams.GetAsync(team.Id)).Value.Members);
        Assert.Equal((sent.User.Id, TeamRoles.Owner), (member.UserId, member.Role));
        Assert.True((await _h.SignIn.SignInAsync(Email, CoreHarness.Password, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task An_invitation_is_accepted_once()
    {
        await InviteAsync();
        var token = _h.TokenMailedTo(Email);
        await _h.Invitations.AcceptAsync(token, CoreHarness.Password, null, null, CoreHarness.Native);

        Assert.Equal(CoreErrors.UsedTokenCode, (await _h.Invitations.AcceptAsync(token, "another passphrase here", null, null, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task An_invitation_expires_after_its_lifetime()
    {
        await InviteAsync();
        _h.Clock.Advance(_h.Options.Tokens.InvitationLifetime);

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.Invitations.CheckAsync(_h.TokenMailedTo(Email))).Error?.Code);
    }

    [Fact]
    public async Task A_password_refused_by_the_policy_leaves_the_invitation_open()
    {
        await InviteAsync();
        var token = _h.TokenMailedTo(Email);

        var weak = await _h.Invitations.AcceptAsync(token, "short", null, null, CoreHarness.Native);

        Assert.Equal(["too_short"], weak.Error!.Fields["password"]);
        Assert.True((await _h.Invitations.CheckAsync(token)).Succeeded);
    }

    [Fact]
    public async Task Inviting_a_pending_address_again_reuses_its_account_and_either_link_accepts()
    {
        var first = await InviteAsync();
        var firstToken = _h.TokenMailedTo(Email);
        var second = await InviteAsync();
        var secondToken = _h.TokenMailedTo(Email);

        Assert.Equal(first.User.Id, second.User.Id);
        Assert.True((await _h.Invitations.AcceptAsync(firstToken, CoreHarness.Password, null, null, CoreHarness.Native)).Succeeded);
        // The account is no longer pending: the other link is of no use now.
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Invitations.CheckAsync(secondToken)).Error?.Code);
    }

    [Fact]
    public async Task An_address_with_an_active_account_cannot_be_invited()
    {
        await _h.RegisterAsync(Email);

        var sent = await _h.Invitations.SendAsync(new InvitationRequest { Email = Email }, null, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.EmailTakenCode, sent.Error?.Code);
    }

    [Fact]
    public async Task An_address_of_a_deleted_account_cannot_be_invited()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Admin.DeleteUserAsync(user.Id, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.AccountDeletedCode, (await _h.Invitations.SendAsync(new InvitationRequest { Email = Email }, null, "usr_admin", CoreHarness.Native)).Error?.Code);
    }

    [Theory]
    [InlineData(null, null, null, "email", "required")]
    [InlineData("not an email", null, null, "email", "invalid")]
    [InlineData(Email, "team_missing", null, "teamId", "unknown")]
    [InlineData(Email, null, "boss", "teamRole", "unknown")]
    public async Task An_invitation_is_checked_before_anything_is_written(string? email, string? teamId, string? role, string field, string rule)
    {
        var sent = await _h.Invitations.SendAsync(new InvitationRequest { Email = email, TeamId = teamId, TeamRole = role }, null, "usr_admin", CoreHarness.Native);

        Assert.Equal([rule], sent.Error!.Fields[field]);
        Assert.Empty(_h.Database.Select<User>(_h.Database.Users));
        Assert.Empty(_h.OutboxRows());
    }

    [Fact]
    public async Task A_team_deleted_before_acceptance_is_simply_not_joined()
    {
        var team = await TeamAsync();
        var sent = await InviteAsync(team.Id);
        await _h.Teams.DeleteAsync(team.Id, "usr_admin", CoreHarness.Native);

        Assert.True((await _h.Invitations.AcceptAsync(_h.TokenMailedTo(Email), CoreHarness.Password, null, null, CoreHarness.Native)).Succeeded);
        Assert.Empty(_h.Database.Select<TeamMember>(_h.Database.TeamMembers));
        Assert.Equal(UserStatus.Active, _h.UserRow(sent.User.Id)!.Status);
    }
}
