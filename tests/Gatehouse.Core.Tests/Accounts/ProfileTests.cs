using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Accounts;

/// <summary>AccountService's profile changes, alone and with a password (the FitTrackee form).</summary>
public sealed class ProfileTests
{
    private const string Email = "ada@example.com";
    private readonly CoreHarness _h = new();

    [Fact]
    public async Task A_profile_change_leaves_null_fields_alone_and_clears_empty_ones()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { FirstName = "Ada", LastName = "Lovelace", Bio = "Analyst" }, CoreHarness.Native);
        _h.Clock.Advance(TimeSpan.FromMinutes(1));

        var updated = await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { LastName = "", Bio = "  Poet  ", BirthDate = new DateOnly(1815, 12, 10), BirthDateSet = true }, CoreHarness.Native);

        Assert.True(updated.Succeeded);
        var row = _h.UserRow(user.Id)!;
        Assert.Equal(("Ada", null, "Poet"), (row.FirstName, row.LastName, row.Bio));
        Assert.Equal(new DateOnly(1815, 12, 10), row.BirthDate);
        Assert.Equal(CoreHarness.Start.AddMinutes(1), row.UpdatedAt);
        Assert.Equal(2, _h.AuditRows(AuditTypes.ProfileUpdated).Count);
    }

    [Fact]
    public async Task A_birth_date_changes_only_when_it_is_said_to()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { BirthDate = new DateOnly(1815, 12, 10), BirthDateSet = true }, CoreHarness.Native);

        await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { FirstName = "Ada" }, CoreHarness.Native);
        Assert.Equal(new DateOnly(1815, 12, 10), _h.UserRow(user.Id)!.BirthDate);
        await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { BirthDateSet = true }, CoreHarness.Native);
        Assert.Null(_h.UserRow(user.Id)!.BirthDate);
    }

    [Fact]
    public async Task A_username_another_account_holds_is_refused_by_the_unique_index()
    {
        await _h.RegisterAsync("grace@example.com", username: "grace");
        var user = await _h.RegisterAsync(Email, username: "ada");

        var taken = await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate { Username = "GRACE", FirstName = "Ada" }, CoreHarness.Native);

        Assert.Equal(CoreErrors.UsernameTakenCode, taken.Error?.Code);
        var row = _h.UserRow(user.Id)!;
        Assert.Equal(("ada", null), (row.Username, row.FirstName));
        Assert.Empty(_h.AuditRows(AuditTypes.ProfileUpdated));
    }

    [Fact]
    public async Task Profile_fields_are_checked_before_anything_changes()
    {
        var user = await _h.RegisterAsync(Email, username: "ada");

        var refused = await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate
        {
            Username = "", FirstName = "Ada", Bio = new string('b', AccountService.MaxTextLength + 1), Timezone = "Not/AZone",
        }, CoreHarness.Native);

        Assert.Equal(["invalid"], refused.Error!.Fields["username"]);
        Assert.Equal(["too_long"], refused.Error!.Fields["bio"]);
        Assert.Equal(["unknown"], refused.Error!.Fields["timezone"]);
        Assert.Null(_h.UserRow(user.Id)!.FirstName);
    }

    [Fact]
    public async Task The_profile_of_an_unknown_or_deleted_account_is_not_found()
    {
        var user = await _h.RegisterAsync(Email);
        await _h.Admin.DeleteUserAsync(user.Id, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Accounts.UpdateProfileAsync(user.Id, new ProfileUpdate(), CoreHarness.Native)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Accounts.UpdateProfileAsync("usr_missing", new ProfileUpdate(), CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_profile_form_with_a_new_password_changes_both_and_keeps_only_the_caller_s_session()
    {
        var (user, kept) = await _h.SignedInUserAsync(Email);
        var other = await _h.SignInAsync(Email);

        var updated = await _h.Accounts.UpdateProfileAndPasswordAsync(user.Id, new ProfileUpdate { FirstName = "Ada" }, "a brand new passphrase", "a brand new passphrase", kept.SessionId, CoreHarness.Native);

        Assert.True(updated.Succeeded, updated.Error?.ToString());
        Assert.Equal("Ada", _h.UserRow(user.Id)!.FirstName);
        Assert.Equal(SessionEndReasons.PasswordChanged, _h.SessionRow(other.SessionId)!.EndReason);
        Assert.Null(_h.SessionRow(kept.SessionId)!.EndedAt);
        Assert.True((await _h.SignIn.SignInAsync(Email, "a brand new passphrase", CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_profile_form_whose_password_is_refused_changes_nothing()
    {
        var (user, kept) = await _h.SignedInUserAsync(Email);

        var mismatch = await _h.Accounts.UpdateProfileAndPasswordAsync(user.Id, new ProfileUpdate { FirstName = "Ada" }, "a brand new passphrase", "something else", kept.SessionId, CoreHarness.Native);
        var weak = await _h.Accounts.UpdateProfileAndPasswordAsync(user.Id, new ProfileUpdate { FirstName = "Ada" }, "Zq9#vL2", "Zq9#vL2", kept.SessionId, CoreHarness.Native);

        Assert.Equal(["mismatch"], mismatch.Error!.Fields["passwordConfirmation"]);
        Assert.Equal(["too_short"], weak.Error!.Fields["password"]);
        Assert.Null(_h.UserRow(user.Id)!.FirstName);
    }

    [Fact]
    public async Task A_profile_form_that_resends_the_current_password_is_not_an_error()
    {
        var (user, kept) = await _h.SignedInUserAsync(Email);
        var other = await _h.SignInAsync(Email);

        var updated = await _h.Accounts.UpdateProfileAndPasswordAsync(user.Id, new ProfileUpdate { FirstName = "Ada" }, CoreHarness.Password, CoreHarness.Password, kept.SessionId, CoreHarness.Native);

        Assert.True(updated.Succeeded);
        Assert.Equal("Ada", _h.UserRow(user.Id)!.FirstName);
        Assert.Null(_h.SessionRow(other.SessionId)!.EndedAt);
    }
}
