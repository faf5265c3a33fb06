using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Accounts;

/// <summary>AccountService.RegisterAsync and its rules.</summary>
public sealed class RegistrationTests
{
    private readonly CoreHarness _h = new();

    private Task<Result<RegistrationResult>> RegisterAsync(RegistrationRequest request, RegistrationMode? mode = null) =>
        _h.Accounts.RegisterAsync(request, mode ?? RegistrationMode.SelfService, CoreHarness.Native);

    private static RegistrationRequest Request(string? email = "ada@example.com", string? username = null, string? password = CoreHarness.Password) =>
        new() { Email = email, Username = username, Password = password };

    [Fact]
    public async Task A_self_service_registration_stores_a_hashed_password_and_queues_a_confirmation_link()
    {
        var registered = await RegisterAsync(Request(email: "  Ada@Example.com ") with { FirstName = " Ada ", LastName = "Lovelace" });

        var user = _h.UserRow(registered.Value.User.Id)!;
        Assert.Equal("Ada@Example.com", user.Email);
        Assert.Equal("ADA@EXAMPLE.COM", user.NormalizedEmail);
        Assert.Equal("Ada", user.FirstName);
        Assert.False(user.EmailConfirmed);
        Assert.Equal(UserStatus.Active, user.Status);
        Assert.StartsWith("fake$", user.PasswordHash, StringComparison.Ordinal);
        Assert.True(user.Number > 0);
        var mail = Assert.Single(_h.OutboxRows());
        Assert.Equal(nameof(MailIntent.EmailConfirmation), mail.Intent);
        Assert.Contains("https://auth.test/account/confirm-email?token=", _h.MailTo("Ada@Example.com")[0].TextBody, StringComparison.Ordinal);
        Assert.Contains("Hello Ada Lovelace,", _h.MailTo("Ada@Example.com")[0].TextBody, StringComparison.Ordinal);
        Assert.Single(_h.AuditRows(AuditTypes.Registered), e => e.UserId == user.Id);
        Assert.Null(registered.Value.Tokens);
    }

    [Fact]
    public async Task A_registration_can_start_its_first_session_in_the_same_save()
    {
        var registered = await RegisterAsync(Request(), new RegistrationMode { StartSession = true });

        var tokens = registered.Value.Tokens!;
        Assert.Equal(BearerStatus.Valid, (await _h.Bearer.AuthenticateAsync(tokens.AccessToken, AudiencePolicy.Any)).Status);
        Assert.Equal(CoreHarness.Start, _h.UserRow(registered.Value.User.Id)!.LastSignInAt);
        Assert.True((await _h.RefreshAsync(tokens.RefreshToken)).Succeeded);
    }

    [Fact]
    public async Task An_already_confirmed_email_gets_no_confirmation_link()
    {
        var registered = await RegisterAsync(Request(), new RegistrationMode { EmailConfirmed = true });

        Assert.True(_h.UserRow(registered.Value.User.Id)!.EmailConfirmed);
        Assert.Empty(_h.OutboxRows());
    }

    [Fact]
    public async Task An_account_with_only_a_username_gets_no_mail()
    {
        var registered = await RegisterAsync(Request(email: null, username: "ada"));

        Assert.Equal("ADA", _h.UserRow(registered.Value.User.Id)!.NormalizedUsername);
        Assert.Empty(_h.OutboxRows());
    }

    [Fact]
    public async Task Self_service_registration_can_be_switched_off_but_not_for_administrators()
    {
        var h = new CoreHarness(o => o.Registration.Enabled = false);

        var self = await h.Accounts.RegisterAsync(Request(), RegistrationMode.SelfService, CoreHarness.Native);
        var byAdmin = await h.Admin.CreateUserAsync(Request(), [], emailConfirmed: true, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.RegistrationDisabledCode, self.Error?.Code);
        Assert.True(byAdmin.Succeeded);
        Assert.False(h.Accounts.SelfServiceRegistrationEnabled);
    }

    [Fact]
    public async Task An_email_already_registered_is_taken_whatever_its_case()
    {
        await RegisterAsync(Request());

        var again = await RegisterAsync(Request(email: "ADA@example.COM"));

        Assert.Equal(CoreErrors.EmailTakenCode, again.Error?.Code);
        Assert.Single(_h.Database.Select<User>(_h.Database.Users));
    }

    [Fact]
    public async Task The_email_of_a_deleted_account_is_refused_as_deleted()
    {
        var user = (await RegisterAsync(Request())).Value.User;
        await _h.Admin.DeleteUserAsync(user.Id, "usr_admin", CoreHarness.Native);

        Assert.Equal(CoreErrors.AccountDeletedCode, (await RegisterAsync(Request())).Error?.Code);
    }

    [Fact]
    public async Task A_taken_username_is_refused_by_the_unique_index_and_nothing_of_the_attempt_is_saved()
    {
        await RegisterAsync(Request(username: "ada"));
        var outboxBefore = _h.OutboxRows().Count;
        var auditBefore = _h.AuditRows().Count;

        var again = await RegisterAsync(Request(email: "other@example.com", username: "ADA"));

        Assert.Equal(CoreErrors.UsernameTakenCode, again.Error?.Code);
        Assert.Single(_h.Database.Select<User>(_h.Database.Users));
        Assert.Equal(outboxBefore, _h.OutboxRows().Count);
        Assert.Equal(auditBefore, _h.AuditRows().Count);
        Assert.Empty(_h.Database.Select<OneTimeToken>(_h.Database.OneTimeTokens, t => t.Email == "other@example.com"));
    }

    [Fact]
    public async Task Neither_email_nor_username_is_a_required_email()
    {
        var result = await RegisterAsync(Request(email: null));

        Assert.Equal(CoreErrors.ValidationFailedCode, result.Error?.Code);
        Assert.Equal(["required"], result.Error!.Fields["email"]);
    }

    [Theory]
    [InlineData("no-at-sign", null, "email", "invalid")]
    [InlineData("two@@example.com", null, "email", "invalid")]
    [InlineData("ada@localhost", null, "email", "invalid")]
    [InlineData("ada@example.com", "has space", "username", "invalid")]
    [InlineData("ada@example.com", "semi;colon", "username", "invalid")]
    public async Task Malformed_emails_and_usernames_are_refused_by_field(string email, string? username, string field, string rule)
    {
        var result = await RegisterAsync(Request(email: email, username: username));

        Assert.Equal([rule], result.Error!.Fields[field]);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("Zq9#vL2", "too_short")]
    [InlineData("password", "too_common")]
    public async Task A_password_is_checked_against_the_policy(string? password, string rule)
    {
        var result = await RegisterAsync(Request(password: password));

        Assert.Equal([rule], result.Error!.Fields["password"]);
        Assert.Empty(_h.Database.Select<User>(_h.Database.Users));
    }

    [Fact]
    public async Task A_password_confirmation_that_differs_is_a_mismatch()
    {
        var result = await RegisterAsync(Request() with { PasswordConfirmation = CoreHarness.Password + "!" });

        Assert.Equal(["mismatch"], result.Error!.Fields["passwordConfirmation"]);
        Assert.True((await RegisterAsync(Request() with { PasswordConfirmation = CoreHarness.Password })).Succeeded);
    }

    [Fact]
    public async Task Names_and_phone_numbers_have_a_maximum_length()
    {
        var result = await RegisterAsync(Request() with { FirstName = new string('a', 101), Phone = new string('1', 51) });

        Assert.Equal(["too_long"], result.Error!.Fields["firstName"]);
        Assert.Equal(["too_long"], result.Error!.Fields["phone"]);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("ab", "too_short")]
    [InlineData("abcdefghijklm", "too_long")]
    public async Task An_api_s_username_rules_are_reported_on_the_username(string? username, string rule)
    {
        var rules = new RegistrationRules { UsernameRequired = true, UsernameMinimumLength = 3, UsernameMaximumLength = 12 };

        var result = await RegisterAsync(Request(username: username), new RegistrationMode { Rules = rules });

        Assert.Equal([rule], result.Error!.Fields["username"]);
    }

    [Fact]
    public async Task Roles_given_by_the_mode_are_stored_once_each()
    {
        var registered = await RegisterAsync(Request(), new RegistrationMode { Roles = [KnownRoles.Admin, KnownRoles.Admin] });

        Assert.Equal("admin", _h.UserRow(registered.Value.User.Id)!.Roles);
        Assert.True(registered.Value.User.IsAdmin);
    }
}
