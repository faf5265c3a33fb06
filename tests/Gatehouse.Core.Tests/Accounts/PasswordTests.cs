using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Accounts;

/// <summary>Changing and resetting a password, and what that does to sessions and tokens.</summary>
public sealed class PasswordTests
{
    private const string Email = "ada@example.com";
    private const string NewPassword = "a brand new passphrase";
    private readonly CoreHarness _h = new();

    private async Task<string> MailedResetTokenAsync()
    {
        Assert.True((await _h.Accounts.RequestPasswordResetAsync(Email, null, CoreHarness.Native)).Succeeded);
        return _h.TokenMailedTo(Email);
    }

    [Fact]
    public async Task Changing_the_password_ends_every_other_session_and_keeps_the_caller_s()
    {
        var (user, kept) = await _h.SignedInUserAsync(Email);
        var other = await _h.SignInAsync(Email);

        var changed = await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, NewPassword, kept.SessionId, CoreHarness.Native);

        Assert.True(changed.Succeeded, changed.Error?.ToString());
        Assert.Equal(SessionEndReasons.PasswordChanged, _h.SessionRow(other.SessionId)!.EndReason);
        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(other.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(kept.AccessToken, AudiencePolicy.Any)).Status);
        Assert.True((await _h.RefreshAsync(kept.RefreshToken)).Succeeded);
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.RefreshAsync(other.RefreshToken)).Error?.Code);
    }

    [Fact]
    public async Task After_a_change_only_the_new_password_signs_in_and_the_owner_is_told_by_mail()
    {
        var user = await _h.RegisterAsync(Email);

        await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, NewPassword, null, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, (await _h.SignIn.SignInAsync(Email, CoreHarness.Password, CoreHarness.Native)).Error?.Code);
        Assert.True((await _h.SignIn.SignInAsync(Email, NewPassword, CoreHarness.Native)).Succeeded);
        Assert.Equal(nameof(MailIntent.PasswordChanged), Assert.Single(_h.OutboxRows()).Intent);
        Assert.Single(_h.AuditRows(AuditTypes.PasswordChanged));
    }

    [Fact]
    public async Task A_change_without_a_session_to_keep_ends_them_all()
    {
        var (user, pair) = await _h.SignedInUserAsync(Email);

        await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, NewPassword, null, CoreHarness.Native);

        Assert.Equal(BearerStatus.Revoked, (await _h.Bearer.AuthenticateAsync(pair.AccessToken, AudiencePolicy.Any)).Status);
    }

    [Fact]
    public async Task A_wrong_current_password_changes_nothing()
    {
        var (user, pair) = await _h.SignedInUserAsync(Email);
        var hash = _h.UserRow(user.Id)!.PasswordHash;

        var changed = await _h.Accounts.ChangePasswordAsync(user.Id, "not the password", NewPassword, null, CoreHarness.Native);

        Assert.Equal(CoreErrors.WrongPasswordCode, changed.Error?.Code);
        Assert.Equal(hash, _h.UserRow(user.Id)!.PasswordHash);
        Assert.Null(_h.SessionRow(pair.SessionId)!.EndedAt);
    }

    [Fact]
    public async Task A_wrong_current_password_counts_as_a_failed_sign_in_and_locks_like_one()
    {
        var user = await _h.RegisterAsync(Email);
        for (var i = 0; i <= _h.Options.SignIn.FreeFailures; i++)
        {
            Assert.Equal(CoreErrors.WrongPasswordCode, (await _h.Accounts.ChangePasswordAsync(user.Id, "not the password", NewPassword, null, CoreHarness.Native)).Error?.Code);
        }
        Assert.Equal(_h.Options.SignIn.FreeFailures + 1, _h.UserRow(user.Id)!.FailedSignIns);
        Assert.Equal(CoreHarness.Start + _h.Options.SignIn.FirstDelay, _h.UserRow(user.Id)!.LockedUntil);
        var verifications = _h.Hasher.Verifications;

        // Locked: even the right current password is refused as a wrong one, after the same hash,
        // and sign-in is locked too.
        var locked = await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, NewPassword, null, CoreHarness.Native);
        Assert.Equal(CoreErrors.WrongPasswordCode, locked.Error?.Code);
        Assert.Equal(verifications + 1, _h.Hasher.Verifications);
        Assert.Equal(CoreErrors.InvalidCredentials, (await _h.SignIn.SignInAsync(Email, CoreHarness.Password, CoreHarness.Native)).Error);

        _h.Clock.Advance(_h.Options.SignIn.FirstDelay);
        Assert.True((await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, NewPassword, null, CoreHarness.Native)).Succeeded);
        Assert.Equal(0, _h.UserRow(user.Id)!.FailedSignIns);
        Assert.Contains(_h.AuditRows(AuditTypes.SignInFailed), e => e.Detail == "wrong_current_password" && e.UserId == user.Id);
    }

    [Fact]
    public async Task The_right_current_password_with_an_unacceptable_new_one_is_not_counted_as_a_failure()
    {
        var user = await _h.RegisterAsync(Email);

        Assert.Equal(CoreErrors.SamePasswordCode, (await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, CoreHarness.Password, null, CoreHarness.Native)).Error?.Code);
        Assert.Equal(["too_short"], (await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, "short", null, CoreHarness.Native)).Error!.Fields["password"]);

        Assert.Equal(0, _h.UserRow(user.Id)!.FailedSignIns);
    }

    [Fact]
    public async Task The_new_password_must_differ_and_meet_the_policy()
    {
        var user = await _h.RegisterAsync(Email);

        var same = await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, CoreHarness.Password, null, CoreHarness.Native);
        var weak = await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, "short", null, CoreHarness.Native);
        var missing = await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, null, null, CoreHarness.Native);

        Assert.Equal(CoreErrors.SamePasswordCode, same.Error?.Code);
        Assert.Equal(["too_short"], weak.Error!.Fields["password"]);
        Assert.Equal(["required"], missing.Error!.Fields["password"]);
    }

    [Fact]
    public async Task A_live_session_may_stand_in_for_the_current_password_when_the_adapter_says_so()
    {
        var user = await _h.RegisterAsync(Email);

        var withoutCurrent = await _h.Accounts.ChangePasswordAsync(user.Id, null, NewPassword, null, CoreHarness.Native, requireCurrentPassword: false);
        var wrongCurrent = await _h.Accounts.ChangePasswordAsync(user.Id, "wrong", "yet another passphrase", null, CoreHarness.Native, requireCurrentPassword: false);

        Assert.True(withoutCurrent.Succeeded);
        Assert.Equal(CoreErrors.WrongPasswordCode, wrongCurrent.Error?.Code);
    }

    [Fact]
    public async Task An_account_without_a_password_cannot_change_it()
    {
        var invited = await _h.Invitations.SendAsync(new InvitationRequest { Email = "guest@example.com" }, null, "usr_admin", CoreHarness.Native);

        var changed = await _h.Accounts.ChangePasswordAsync(invited.Value.User.Id, null, NewPassword, null, CoreHarness.Native, requireCurrentPassword: false);

        Assert.Equal(CoreErrors.NoPasswordCode, changed.Error?.Code);
    }

    [Fact]
    public async Task A_reset_link_sets_a_new_password_once_and_ends_every_session()
    {
        var (user, pair) = await _h.SignedInUserAsync(Email);
        var token = await MailedResetTokenAsync();

        var reset = await _h.Accounts.ResetPasswordAsync(token, NewPassword, CoreHarness.Native);
        var again = await _h.Accounts.ResetPasswordAsync(token, "yet another passphrase", CoreHarness.Native);

        Assert.Equal(user.Id, reset.Value.Id);
        Assert.Equal(CoreErrors.UsedTokenCode, again.Error?.Code);
        Assert.Equal(SessionEndReasons.PasswordReset, _h.SessionRow(pair.SessionId)!.EndReason);
        Assert.True((await _h.SignIn.SignInAsync(Email, NewPassword, CoreHarness.Native)).Succeeded);
        Assert.Single(_h.AuditRows(AuditTypes.PasswordReset));
    }

    [Fact]
    public async Task A_reset_link_expires_after_its_lifetime()
    {
        await _h.RegisterAsync(Email);
        var token = await MailedResetTokenAsync();
        _h.Clock.Advance(_h.Options.Tokens.PasswordResetLifetime);

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.Accounts.ResetPasswordAsync(token, NewPassword, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_new_reset_link_voids_the_older_ones()
    {
        await _h.RegisterAsync(Email);
        var older = await MailedResetTokenAsync();
        var newer = await MailedResetTokenAsync();

        Assert.Equal(CoreErrors.UsedTokenCode, (await _h.Accounts.CheckPasswordResetTokenAsync(older)).Error?.Code);
        Assert.True((await _h.Accounts.ResetPasswordAsync(newer, NewPassword, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task Checking_a_reset_link_does_not_use_it()
    {
        var user = await _h.RegisterAsync(Email);
        var token = await MailedResetTokenAsync();

        Assert.Equal(user.Id, (await _h.Accounts.CheckPasswordResetTokenAsync(token)).Value.Id);
        Assert.True((await _h.Accounts.ResetPasswordAsync(token, NewPassword, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_reset_refused_by_the_policy_leaves_the_link_usable()
    {
        await _h.RegisterAsync(Email);
        var token = await MailedResetTokenAsync();

        var weak = await _h.Accounts.ResetPasswordAsync(token, "short", CoreHarness.Native);

        Assert.Equal(CoreErrors.ValidationFailedCode, weak.Error?.Code);
        Assert.True((await _h.Accounts.ResetPasswordAsync(token, NewPassword, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_reset_link_for_another_user_id_is_invalid_and_stays_usable()
    {
        var user = await _h.RegisterAsync(Email);
        var token = await MailedResetTokenAsync();

        var wrongUser = await _h.Accounts.ResetPasswordOfUserAsync("usr_other", token, NewPassword, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidTokenCode, wrongUser.Error?.Code);
        Assert.True((await _h.Accounts.ResetPasswordOfUserAsync(user.Id, token, NewPassword, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_reset_link_cannot_confirm_an_email()
    {
        await _h.RegisterAsync(Email);
        var token = await MailedResetTokenAsync();

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Accounts.ConfirmEmailAsync(token, CoreHarness.Native)).Error?.Code);
    }

    [Theory]
    [InlineData("nobody@example.com")]
    [InlineData("")]
    public async Task A_reset_for_an_unknown_login_is_not_found_and_sends_nothing(string login)
    {
        await _h.RegisterAsync(Email);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Accounts.RequestPasswordResetAsync(login, null, CoreHarness.Native)).Error?.Code);
        Assert.Empty(_h.OutboxRows());
    }

    [Fact]
    public async Task A_login_longer_than_any_email_is_a_validation_error()
    {
        var result = await _h.Accounts.RequestPasswordResetAsync(new string('a', 255), null, CoreHarness.Native);

        Assert.Equal(["too_long"], result.Error!.Fields["login"]);
    }

    [Fact]
    public async Task A_disabled_account_gets_no_reset_link()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Admin.SetDisabledAsync(user.Id, true, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Accounts.RequestPasswordResetAsync(Email, null, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task Reset_links_are_limited_per_account_and_hour()
    {
        await _h.RegisterAsync(Email);
        for (var i = 0; i < _h.Options.MailLimits.PerAccountEmailsPerHour; i++)
        {
            await MailedResetTokenAsync();
        }

        var limited = await _h.Accounts.RequestPasswordResetAsync(Email, null, CoreHarness.Native);
        _h.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMilliseconds(1));
        var later = await _h.Accounts.RequestPasswordResetAsync(Email, null, CoreHarness.Native);

        Assert.Equal(CoreErrors.RateLimitedCode, limited.Error?.Code);
        Assert.True(later.Succeeded);
    }

    [Fact]
    public async Task A_reset_link_follows_the_template_the_adapter_gives()
    {
        var user = await _h.RegisterAsync(Email);

        await _h.Accounts.RequestPasswordResetAsync(Email, "{base}/dialect/reset/{uid}/{token}", CoreHarness.Native);

        Assert.Contains($"https://auth.test/dialect/reset/{user.Id}/", _h.MailTo(Email)[0].TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reset_link_is_stored_only_as_a_hash_and_never_in_the_clear_in_the_outbox()
    {
        await _h.RegisterAsync(Email);
        var token = await MailedResetTokenAsync();

        var stored = Assert.Single(_h.Database.Select<OneTimeToken>(_h.Database.OneTimeTokens));
        Assert.Equal(SecureTokens.Hash(token), stored.Hash);
        Assert.DoesNotContain(token, Assert.Single(_h.OutboxRows()).ProtectedBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reset_proves_the_mailbox_of_an_invited_account_and_activates_it()
    {
        var invited = await _h.Invitations.SendAsync(new InvitationRequest { Email = Email }, null, "usr_admin", CoreHarness.Native);
        Assert.Equal(UserStatus.Pending, invited.Value.User.Status);
        // A pending account has no password yet: a reset link is how it may set one instead of accepting.
        var token = await MailedResetTokenAsync();

        Assert.True((await _h.Accounts.ResetPasswordAsync(token, NewPassword, CoreHarness.Native)).Succeeded);

        var row = _h.UserRow(invited.Value.User.Id)!;
        Assert.Equal(UserStatus.Active, row.Status);
        Assert.True(row.EmailConfirmed);
    }

    [Fact]
    public async Task A_change_that_names_another_login_is_forbidden_and_one_naming_the_caller_in_any_case_is_made()
    {
        var user = await _h.RegisterAsync(Email, username: "ada");
        await _h.RegisterAsync("grace@example.com", username: "grace");

        var refused = await _h.Accounts.ChangePasswordAsync(user.Id, null, "a brand new passphrase", null, CoreHarness.Native, requireCurrentPassword: false, assertedLogin: "grace");
        Assert.Equal(CoreErrors.ForbiddenCode, refused.Error?.Code);
        Assert.True((await _h.SignIn.SignInAsync(Email, CoreHarness.Password, CoreHarness.Native)).Succeeded);

        Assert.True((await _h.Accounts.ChangePasswordAsync(user.Id, null, "a brand new passphrase", null, CoreHarness.Native, requireCurrentPassword: false, assertedLogin: " ADA ")).Succeeded);
        Assert.True((await _h.Accounts.ChangePasswordAsync(user.Id, null, "another new passphrase", null, CoreHarness.Native, requireCurrentPassword: false, assertedLogin: "Ada@Example.com")).Succeeded);
    }
}
