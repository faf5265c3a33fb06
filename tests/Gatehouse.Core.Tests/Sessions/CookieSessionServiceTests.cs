using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Core.Sessions;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Sessions;

/// <summary>CookieSessionService: opaque secrets, ordinary sessions without refresh tokens.</summary>
public sealed class CookieSessionServiceTests
{
    private const string Email = "ada@example.com";
    private readonly CoreHarness _h = new();

    private async Task<CookieSignIn> SignInAsync(string? previous = null)
    {
        var signedIn = await _h.CookieSessions.SignInAsync(Email, CoreHarness.Password, previous, CoreHarness.Native);
        Assert.True(signedIn.Succeeded, signedIn.Error?.ToString());
        return signedIn.Value;
    }

    [Fact]
    public async Task A_cookie_sign_in_resolves_to_its_user_until_it_is_ended()
    {
        var user = await _h.RegisterAsync(Email);
        var ticket = (await SignInAsync()).Ticket;

        var resolved = await _h.CookieSessions.ResolveAsync(ticket.Secret);
        Assert.Equal((user.Id, ticket.SessionId), (resolved.Value.User.Id, resolved.Value.SessionId));
        Assert.True((await _h.CookieSessions.EndAsync(ticket.Secret, CoreHarness.Native)).Succeeded);

        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.CookieSessions.ResolveAsync(ticket.Secret)).Error?.Code);
        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.CookieSessions.EndAsync(ticket.Secret, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task The_secret_is_stored_only_as_its_hash_and_the_session_has_no_refresh_token()
    {
        await _h.RegisterAsync(Email);
        var ticket = (await SignInAsync()).Ticket;

        var session = _h.SessionRow(ticket.SessionId)!;
        Assert.Equal(SecureTokens.Hash(ticket.Secret), session.SecretHash);
        Assert.False(session.RotateRefreshTokens);
        Assert.Empty(_h.Database.Select<RefreshToken>(_h.Database.RefreshTokens));
        Assert.Equal(CoreHarness.Start + _h.Options.Tokens.RefreshTokenLifetime, ticket.ExpiresAt);
    }

    [Fact]
    public async Task Signing_in_again_from_the_same_browser_ends_its_previous_cookie_session()
    {
        await _h.RegisterAsync(Email);
        var first = (await SignInAsync()).Ticket;

        var second = (await SignInAsync(previous: first.Secret)).Ticket;

        Assert.NotNull(_h.SessionRow(first.SessionId)!.EndedAt);
        Assert.True((await _h.CookieSessions.ResolveAsync(second.Secret)).Succeeded);
    }

    [Fact]
    public async Task A_wrong_password_starts_no_cookie_session()
    {
        await _h.RegisterAsync(Email);

        var refused = await _h.CookieSessions.SignInAsync(Email, "wrong password", null, CoreHarness.Native);

        Assert.Equal(CoreErrors.InvalidCredentialsCode, refused.Error?.Code);
        Assert.Empty(_h.Database.Select<Session>(_h.Database.Sessions));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("an unknown secret")]
    public async Task An_unknown_secret_resolves_to_nothing(string? secret)
    {
        await _h.RegisterAsync(Email);
        await SignInAsync();

        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.CookieSessions.ResolveAsync(secret)).Error?.Code);
        Assert.Equal(CoreErrors.NotFoundCode, (await _h.CookieSessions.EndAsync(secret, CoreHarness.Native)).Error?.Code);
    }

    [Fact]
    public async Task A_secret_longer_than_any_of_ours_is_refused_without_a_lookup()
    {
        Assert.Equal(CoreErrors.InvalidTokenCode, (await _h.CookieSessions.ResolveAsync(new string('s', 129))).Error?.Code);
    }

    [Fact]
    public async Task A_password_change_ends_cookie_sessions_too()
    {
        var user = await _h.RegisterAsync(Email);
        var ticket = (await SignInAsync()).Ticket;

        await _h.Accounts.ChangePasswordAsync(user.Id, CoreHarness.Password, "a brand new passphrase", null, CoreHarness.Native);

        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.CookieSessions.ResolveAsync(ticket.Secret)).Error?.Code);
    }

    [Fact]
    public async Task A_cookie_session_ends_at_its_absolute_lifetime()
    {
        await _h.RegisterAsync(Email);
        var ticket = (await SignInAsync()).Ticket;
        _h.Clock.Advance(_h.Options.Tokens.RefreshTokenLifetime);

        Assert.Equal(CoreErrors.SessionEndedCode, (await _h.CookieSessions.ResolveAsync(ticket.Secret)).Error?.Code);
    }

    [Fact]
    public async Task A_cookie_session_of_an_account_disabled_behind_its_back_is_refused()
    {
        var user = await _h.RegisterAsync(Email);
        var ticket = (await SignInAsync()).Ticket;
        await _h.Database.ChangeAsync<User>(_h.Database.Users, user.Id, u => u.Status = UserStatus.Disabled);

        Assert.Equal(CoreErrors.AccountDisabledCode, (await _h.CookieSessions.ResolveAsync(ticket.Secret)).Error?.Code);
    }

    [Fact]
    public async Task Registering_starts_the_first_cookie_session_in_the_same_transaction()
    {
        var registered = await _h.CookieSessions.RegisterAsync(new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, RegistrationMode.SelfService, CoreHarness.Native);

        Assert.True(registered.Succeeded, registered.Error?.ToString());
        Assert.Equal(registered.Value.User.Id, (await _h.CookieSessions.ResolveAsync(registered.Value.Ticket.Secret)).Value.User.Id);
        Assert.Equal(CoreHarness.Start, _h.UserRow(registered.Value.User.Id)!.LastSignInAt);
    }

    [Fact]
    public async Task A_refused_registration_starts_no_cookie_session()
    {
        await _h.RegisterAsync(Email);

        var again = await _h.CookieSessions.RegisterAsync(new RegistrationRequest { Email = Email, Password = CoreHarness.Password }, RegistrationMode.SelfService, CoreHarness.Native);

        Assert.Equal(CoreErrors.EmailTakenCode, again.Error?.Code);
        Assert.Empty(_h.Database.Select<Session>(_h.Database.Sessions));
    }
}
