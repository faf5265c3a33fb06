using Gatehouse.Core.Accounts;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Core.Mail;
using Gatehouse.Core.Tests.Fakes;
using Gatehouse.Core.Tokens;

namespace Gatehouse.Core.Tests.Accounts;

/// <summary>Email confirmation (AccountService) and sign-up by emailed link (SignUpLinkService).</summary>
public sealed class EmailLinkTests
{
    private const string Email = "ada@example.com";
    private readonly CoreHarness _h = new();

    private async Task<User> RegisterUnconfirmedAsync() => await _h.RegisterAsync(Email, mode: RegistrationMode.SelfService);

    [Fact]
    public async Task The_mailed_confirmation_link_confirms_the_email_once()
    {
        var user = await RegisterUnconfirmedAsync();
        var token = _h.TokenMailedTo(Email);

        var confirmed = await _h.Accounts.ConfirmEmailAsync(token, CoreHarness.Native);
        var again = await _h.Accounts.ConfirmEmailAsync(token, CoreHarness.Native);

        Assert.True(confirmed.Succeeded);
        Assert.True(_h.UserRow(user.Id)!.EmailConfirmed);
        Assert.Equal(CoreErrors.UsedTokenCode, again.Error?.Code);
        Assert.Single(_h.AuditRows(AuditTypes.EmailConfirmed));
    }

    [Fact]
    public async Task A_confirmation_link_expires_after_its_lifetime()
    {
        await RegisterUnconfirmedAsync();
        var token = _h.TokenMailedTo(Email);
        _h.Clock.Advance(_h.Options.Tokens.EmailConfirmationLifetime);

        Assert.Equal(CoreErrors.ExpiredTokenCode, (await _h.Accounts.ConfirmEmailAsync(token, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_link_proves_the_address_it_was_sent_to_not_one_the_account_changed_to()
    {
        var user = await RegisterUnconfirmedAsync();
        var token = _h.TokenMailedTo(Email);
        await _h.Database.ChangeAsync<User>(_h.Database.Users, user.Id, u => (u.Email, u.NormalizedEmail) = ("new@example.com", "NEW@EXAMPLE.COM"));

        var confirmed = await _h.Accounts.ConfirmEmailAsync(token, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidTokenCode, confirmed.Error?.Code);
        Assert.False(_h.UserRow(user.Id)!.EmailConfirmed);
        // Refused inside the transaction: the redemption is rolled back with it.
        Assert.Null(Assert.Single(_h.Database.Select<OneTimeToken>(_h.Database.OneTimeTokens)).ConsumedAt);
    }

    [Fact]
    public async Task A_confirmation_link_for_another_user_id_is_invalid_and_stays_usable()
    {
        var user = await RegisterUnconfirmedAsync();
        var token = _h.TokenMailedTo(Email);

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.Accounts.ConfirmEmailOfUserAsync("usr_other", token, CoreHarness.Native)).Error?.Code);
        Assert.True((await _h.Accounts.ConfirmEmailOfUserAsync(user.Id, token, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task Asking_again_sends_a_new_link_and_the_older_one_still_works()
    {
        var user = await RegisterUnconfirmedAsync();
        var older = _h.TokenMailedTo(Email);

        Assert.True((await _h.Accounts.RequestEmailConfirmationAsync(user.Id)).Succeeded);

        Assert.Equal(2, _h.MailTo(Email).Count);
        Assert.NotEqual(older, _h.TokenMailedTo(Email));
        Assert.True((await _h.Accounts.ConfirmEmailAsync(older, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_confirmed_email_is_sent_no_further_link()
    {
        var user = await _h.RegisterAsync(Email);

        Assert.True((await _h.Accounts.RequestEmailConfirmationAsync(user.Id)).Succeeded);
        Assert.Empty(_h.OutboxRows());
    }

    [Fact]
    public async Task Confirmation_links_are_limited_per_account_and_hour()
    {
        var user = await RegisterUnconfirmedAsync();
        for (var i = 1; i < _h.Options.MailLimits.PerAccountEmailsPerHour; i++)
        {
            Assert.True((await _h.Accounts.RequestEmailConfirmationAsync(user.Id)).Succeeded);
        }

        Assert.Equal(CoreErrors.RateLimitedCode, (await _h.Accounts.RequestEmailConfirmationAsync(user.Id)).Error?.Code);
    }

    [Fact]
    public async Task A_confirmation_for_an_account_without_email_is_not_found()
    {
        var user = (await _h.Accounts.RegisterAsync(new RegistrationRequest { Username = "ada", Password = CoreHarness.Password }, RegistrationMode.SelfService, CoreHarness.Native)).Value.User;

        Assert.Equal(CoreErrors.NotFoundCode, (await _h.Accounts.RequestEmailConfirmationAsync(user.Id)).Error?.Code);
    }

    [Fact]
    public async Task A_sign_up_link_creates_the_account_with_its_email_already_confirmed()
    {
        Assert.True((await _h.SignUpLinks.RequestAsync(Email, "{\"plan\":\"free\"}", null)).Succeeded);
        var mail = Assert.Single(_h.OutboxRows());
        Assert.Equal(nameof(MailIntent.SignUpLink), mail.Intent);
        var token = _h.TokenMailedTo(Email);
        Assert.Equal("{\"plan\":\"free\"}", (await _h.SignUpLinks.PeekAsync(token)).Value.Payload);

        var created = await _h.SignUpLinks.CompleteAsync(token, new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, CoreHarness.Native);

        Assert.True(created.Succeeded, created.Error?.ToString());
        Assert.True(_h.UserRow(created.Value.Id)!.EmailConfirmed);
        Assert.Single(_h.OutboxRows());
        Assert.Equal(CoreErrors.UsedTokenCode, (await _h.SignUpLinks.PeekAsync(token)).Error?.Code);
    }

    [Fact]
    public async Task A_sign_up_link_for_a_registered_address_answers_the_same_and_sends_nothing()
    {
        await _h.RegisterAsync(Email);

        Assert.True((await _h.SignUpLinks.RequestAsync(Email, null, null)).Succeeded);
        Assert.Empty(_h.OutboxRows());
    }

    [Fact]
    public async Task A_sign_up_link_only_creates_the_account_of_its_own_address()
    {
        await _h.SignUpLinks.RequestAsync(Email, null, null);
        var token = _h.TokenMailedTo(Email);

        var other = await _h.SignUpLinks.CompleteAsync(token, new RegistrationRequest { Email = "eve@example.com", Password = CoreHarness.Password }, CoreHarness.Native);

        Assert.Equal(CoreErrors.ForbiddenCode, other.Error?.Code);
        Assert.True((await _h.SignUpLinks.CompleteAsync(token, new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, CoreHarness.Native)).Succeeded);
    }

    [Fact]
    public async Task A_sign_up_that_fails_on_a_taken_username_leaves_the_link_usable()
    {
        await _h.RegisterAsync("grace@example.com", username: "ada");
        await _h.SignUpLinks.RequestAsync(Email, null, null);
        var token = _h.TokenMailedTo(Email);

        var taken = await _h.SignUpLinks.CompleteAsync(token, new RegistrationRequest { Email = Email, Username = "ada", Password = CoreHarness.Password }, CoreHarness.Native);

        Assert.Equal(CoreErrors.UsernameTakenCode, taken.Error?.Code);
        Assert.True((await _h.SignUpLinks.PeekAsync(token)).Succeeded);
        Assert.True((await _h.SignUpLinks.CompleteAsync(token, new RegistrationRequest { Email = Email, Username = "ada2", Password = CoreHarness.Password }, CoreHarness.Native)).Succeeded);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not an email")]
    public async Task A_sign_up_link_needs_a_valid_address(string? email)
    {
        Assert.Equal(["invalid"], (await _h.SignUpLinks.RequestAsync(email, null, null)).Error!.Fields["email"]);
    }

    [Fact]
    public async Task Sign_up_data_has_a_maximum_size()
    {
        Assert.Equal(["too_long"], (await _h.SignUpLinks.RequestAsync(Email, new string('x', 4001), null)).Error!.Fields["data"]);
    }

    [Fact]
    public async Task No_sign_up_link_is_sent_while_registration_is_off()
    {
        var h = new CoreHarness(o => o.Registration.Enabled = false);

        Assert.Equal(CoreErrors.RegistrationDisabledCode, (await h.SignUpLinks.RequestAsync(Email, null, null)).Error?.Code);
    }
}
