using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Dialects.Arc;

/// <summary>Dialect "arc": codes, tokens, refresh, /auth/me, logout (CONTRACTS.md 001).</summary>
public sealed class ArcSignInTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly ArcApi _arc = new(factory);

    [Fact]
    public async Task A_user_registered_natively_and_allowed_on_a_client_gets_a_code_that_exchanges_once_for_tokens()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var code = await _arc.LoginAsync(client, email);

        var exchanged = await _arc.PostAsync("/auth/token", new { code, clientId = client.ClientId });
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        Assert.Equal("application/json; charset=utf-8", exchanged.Content.Headers.ContentType?.ToString());
        var body = await exchanged.Content.ReadAsStringAsync();
        Golden.AssertMatches("arc/token-response.json", body);
        var expires = JsonDocument.Parse(body).RootElement.GetProperty("expires").GetInt64();
        // Epoch milliseconds of the access token's expiry (15 minutes by default).
        Assert.InRange(expires, factory.Clock.GetUtcNow().AddMinutes(15).ToUnixTimeMilliseconds() - 2000, factory.Clock.GetUtcNow().AddMinutes(15).ToUnixTimeMilliseconds() + 2000);

        var again = await _arc.PostAsync("/auth/token", new { code, clientId = client.ClientId });
        await ArcApi.AssertErrorAsync(again, HttpStatusCode.Unauthorized, "Invalid Credentials");
    }

    [Fact]
    public async Task An_admin_allows_and_disallows_a_natively_registered_user_on_a_client_through_the_admin_api()
    {
        var client = await _arc.CreateClientAsync();
        var email = Emails.New();
        var id = (await _arc.Native.RegisterAsync(email)).GetProperty("id").GetString();
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email), HttpStatusCode.Unauthorized, "Client Invalid");

        var admin = await _arc.AdminTokenAsync();
        var path = $"/api/v1/admin/users/{id}/clients/{client.ClientId}";
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.Native.SendAsync(HttpMethod.Put, path, admin)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.Native.SendAsync(HttpMethod.Put, path, admin)).StatusCode);
        await _arc.LoginTokenAsync(client, email);

        Assert.Equal(HttpStatusCode.NoContent, (await _arc.Native.SendAsync(HttpMethod.Delete, path, admin)).StatusCode);
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email), HttpStatusCode.Unauthorized, "Client Invalid");
        Assert.Equal(HttpStatusCode.NotFound, (await _arc.Native.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{id}/clients/no-such-client", admin)).StatusCode);
    }

    [Fact]
    public async Task A_code_expires_after_the_clients_auth_code_expiration()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var code = await _arc.LoginAsync(client, email);
        factory.Clock.Advance(TimeSpan.FromSeconds(181));
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/token", new { code, clientId = client.ClientId }), HttpStatusCode.Unauthorized, "Code Expired");

        var quick = await _arc.CreateClientAsync(authCodeSeconds: 30);
        await _arc.AllowAsync(await UserIdAsync(email), quick);
        var early = await _arc.LoginAsync(quick, email);
        factory.Clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(HttpStatusCode.OK, (await _arc.PostAsync("/auth/token", new { code = early, clientId = quick.ClientId })).StatusCode);
        var late = await _arc.LoginAsync(quick, email);
        factory.Clock.Advance(TimeSpan.FromSeconds(31));
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/token", new { code = late, clientId = quick.ClientId }), HttpStatusCode.Unauthorized, "Code Expired");
    }

    [Fact]
    public async Task Of_two_concurrent_exchanges_of_one_code_exactly_one_gets_tokens()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        for (var round = 0; round < 3; round++)
        {
            var code = await _arc.LoginAsync(client, email);
            var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _arc.PostAsync("/auth/token", new { code, clientId = client.ClientId })));
            Assert.Equal(1, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.Equal(3, answers.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        }
    }

    [Fact]
    public async Task A_code_of_another_client_a_made_up_code_and_an_unknown_client_are_refused()
    {
        var client = await _arc.CreateClientAsync();
        var other = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var code = await _arc.LoginAsync(client, email);

        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/token", new { code, clientId = other.ClientId }), HttpStatusCode.Unauthorized, "Invalid Credentials");
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/token", new { code = "made-up", clientId = client.ClientId }), HttpStatusCode.Unauthorized, "Invalid Credentials");
        var unknown = await _arc.PostAsync("/auth/token", new { code, clientId = "no-such-client" });
        await ArcApi.AssertErrorAsync(unknown, HttpStatusCode.Unauthorized, "Client Invalid");
        // The other client's attempt did not burn the code.
        Assert.Equal(HttpStatusCode.OK, (await _arc.PostAsync("/auth/token", new { code, clientId = client.ClientId })).StatusCode);
    }

    [Fact]
    public async Task Login_refuses_a_bad_client_bad_credentials_and_a_user_not_allowed_on_the_client_with_object_messages()
    {
        var client = await _arc.CreateClientAsync();
        var other = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client, username: "Arc" + Guid.NewGuid().ToString("N")[..8]);

        var badSecret = await _arc.LoginRawAsync(client, email, secret: "wrong secret");
        await ArcApi.AssertObjectErrorAsync(badSecret, HttpStatusCode.Unauthorized, "Client Invalid");
        Golden.AssertMatches("arc/error-object-message.json", await badSecret.Content.ReadAsStringAsync());
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email, "wrong password"), HttpStatusCode.Unauthorized, "Invalid Credentials");
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, "nobody@example.com"), HttpStatusCode.Unauthorized, "Invalid Credentials");
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(other, email), HttpStatusCode.Unauthorized, "Client Invalid");
        await ArcApi.AssertObjectErrorAsync(
            await _arc.PostAsync("/auth/login-token", new { client_id = other.ClientId, client_secret = other.Secret, username = email, password = ArcApi.Password }),
            HttpStatusCode.Unauthorized, "Client Invalid");
        // Usernames match case-insensitively.
        Assert.Equal(HttpStatusCode.OK, (await _arc.LoginRawAsync(client, email.ToUpperInvariant())).StatusCode);
    }

    [Fact]
    public async Task A_disabled_user_gets_UserInactive_on_login_token()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var disabled = await scope.ServiceProvider.GetRequiredService<AdminService>().SetDisabledAsync(await UserIdAsync(email), true, "test", RequestContext.Internal);
            Assert.True(disabled.Succeeded);
        }
        var response = await _arc.PostAsync("/auth/login-token", new { client_id = client.ClientId, client_secret = client.Secret, username = email, password = ArcApi.Password });
        await ArcApi.AssertObjectErrorAsync(response, HttpStatusCode.Unauthorized, "UserInactive");
    }

    [Fact]
    public async Task The_device_id_header_is_recorded_on_the_session()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var tokens = await _arc.LoginTokenAsync(client, email, deviceId: "device-42");
        await using var scope = factory.Services.CreateAsyncScope();
        var session = await scope.ServiceProvider.GetRequiredService<ISessionRepository>().FindAsync(ArcApi.SessionIdOf(tokens.AccessToken));
        Assert.Equal("device-42", session?.DeviceId);
        Assert.Equal("arc", session?.Surface);
        Assert.Equal(client.ClientId, session?.ClientId);
    }

    [Fact]
    public async Task Refresh_needs_the_access_token_issued_with_it_even_expired_and_revokes_the_old_pair()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var first = await _arc.LoginTokenAsync(client, email);
        var second = await _arc.LoginTokenAsync(client, email);

        await ArcApi.AssertErrorAsync(await _arc.RefreshAsync(first.RefreshToken, null), HttpStatusCode.Unauthorized, "Token Invalid");
        await ArcApi.AssertErrorAsync(await _arc.RefreshAsync(first.RefreshToken, second.AccessToken), HttpStatusCode.Unauthorized, "Token Invalid");
        await ArcApi.AssertErrorAsync(await _arc.RefreshAsync(first.RefreshToken, "not.a.jwt"), HttpStatusCode.Unauthorized, "Token Invalid");
        await ArcApi.AssertErrorAsync(await _arc.RefreshAsync("unknown refresh token", first.AccessToken), HttpStatusCode.Unauthorized, "Token Expired");

        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync(first.AccessToken), HttpStatusCode.Unauthorized, "TokenExpired");
        var refreshed = await _arc.RefreshAsync(first.RefreshToken, first.AccessToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Golden.AssertMatches("arc/token-response.json", await refreshed.Content.ReadAsStringAsync());
        var next = await ArcApi.ReadTokensAsync(refreshed);
        Assert.Equal(HttpStatusCode.OK, (await _arc.MeAsync(next.AccessToken)).StatusCode);

        // The old pair stops working: the refresh token is used (after the core's 10-second grace
        // for two racing refreshes; replaying it then ends the session as RFC 9700 section 4.14 asks),
        // and a fresh token of the old generation is revoked.
        factory.Clock.Advance(TimeSpan.FromSeconds(11));
        await ArcApi.AssertErrorAsync(await _arc.RefreshAsync(first.RefreshToken, first.AccessToken), HttpStatusCode.Unauthorized, "Token Expired");
        var third = await _arc.LoginTokenAsync(client, email);
        Assert.Equal(HttpStatusCode.OK, (await _arc.RefreshAsync(third.RefreshToken, third.AccessToken)).StatusCode);
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync(third.AccessToken), HttpStatusCode.Unauthorized, "TokenRevoked");
    }

    [Fact]
    public async Task Me_shows_the_arc_user_and_refuses_missing_bad_and_revoked_tokens()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var tokens = await _arc.LoginTokenAsync(client, email);
        var me = await _arc.MeAsync(tokens.AccessToken);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = await me.Content.ReadAsStringAsync();
        Golden.AssertMatches("arc/user.json", body);
        var user = JsonDocument.Parse(body).RootElement;
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal(client.Number, user.GetProperty("authClientId").GetInt64());
        Assert.Equal(client.Number, user.GetProperty("authClientIds")[0].GetInt64());

        var missing = await _arc.MeAsync(null);
        await ArcApi.AssertErrorAsync(missing, HttpStatusCode.Unauthorized, "Bearer realm=\"Users\"");
        Golden.AssertMatches("arc/error-string-message.json", await missing.Content.ReadAsStringAsync());
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync("garbage"), HttpStatusCode.Unauthorized, "TokenExpired");

        // Issue 19, finding 1: a token minted for an arc client is not Gatehouse's own, so the
        // native account API refuses it (docs/architecture.md, "Token audiences").
        Assert.Equal(HttpStatusCode.Unauthorized, (await _arc.Native.MeAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task Logout_checks_the_refresh_token_and_ends_the_session()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var mine = await _arc.LoginTokenAsync(client, email);
        var other = await _arc.LoginTokenAsync(client, email);

        var missing = await _arc.PostAsync("/logout", new { }, mine.AccessToken);
        Golden.AssertMatches("arc/token-missing.json", await missing.Content.ReadAsStringAsync());
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/logout", new { refreshToken = "unknown" }, mine.AccessToken), HttpStatusCode.Unauthorized, "Token Expired");
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/logout", new { refreshToken = other.RefreshToken }, mine.AccessToken), HttpStatusCode.Unauthorized, "Token Invalid");
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/logout", new { refreshToken = mine.RefreshToken }), HttpStatusCode.Unauthorized, "Bearer realm=\"Users\"");

        var loggedOut = await _arc.PostAsync("/logout", new { refreshToken = mine.RefreshToken }, mine.AccessToken);
        Assert.Equal(HttpStatusCode.OK, loggedOut.StatusCode);
        Assert.True((await loggedOut.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("success").GetBoolean());
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync(mine.AccessToken), HttpStatusCode.Unauthorized, "TokenRevoked");
        await ArcApi.AssertErrorAsync(await _arc.RefreshAsync(mine.RefreshToken, mine.AccessToken), HttpStatusCode.Unauthorized, "Token Expired");

        var keycloak = await _arc.PostAsync("/keycloak/logout", new { refreshToken = other.RefreshToken }, other.AccessToken);
        Assert.Equal(HttpStatusCode.OK, keycloak.StatusCode);
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync(other.AccessToken), HttpStatusCode.Unauthorized, "TokenRevoked");
    }

    [Fact]
    public async Task Change_password_checks_tokens_username_and_passwords_then_revokes_the_session()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var mine = await _arc.LoginTokenAsync(client, email);
        var other = await _arc.LoginTokenAsync(client, email);
        const string NewPassword = "a completely new passphrase";
        Task<HttpResponseMessage> Change(object body) => _arc.SendAsync(HttpMethod.Patch, "/auth/change-password", body, mine.AccessToken);

        await ArcApi.AssertErrorAsync(await Change(new { username = email, password = NewPassword }), HttpStatusCode.UnprocessableEntity, "TokenMissing");
        await ArcApi.AssertErrorAsync(await Change(new { refreshToken = other.RefreshToken, username = email, password = NewPassword }), HttpStatusCode.Unauthorized, "Token Invalid");
        await ArcApi.AssertErrorAsync(await Change(new { refreshToken = mine.RefreshToken, username = "someone@example.com", password = NewPassword }), HttpStatusCode.Forbidden, "NotAllowedAccess");
        await ArcApi.AssertErrorAsync(await Change(new { refreshToken = mine.RefreshToken, username = email, password = NewPassword, oldPassword = "wrong" }), HttpStatusCode.Unauthorized, "Incorrect Password");
        await ArcApi.AssertErrorAsync(await Change(new { refreshToken = mine.RefreshToken, username = email, password = ArcApi.Password, oldPassword = ArcApi.Password }), HttpStatusCode.Unauthorized, "Password cannot be same as previous password!");

        var changed = await Change(new { refreshToken = mine.RefreshToken, username = email, password = NewPassword, oldPassword = ArcApi.Password });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync(mine.AccessToken), HttpStatusCode.Unauthorized, "TokenRevoked");
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync(other.AccessToken), HttpStatusCode.Unauthorized, "TokenRevoked");
        await ArcApi.AssertObjectErrorAsync(await _arc.LoginRawAsync(client, email), HttpStatusCode.Unauthorized, "Invalid Credentials");
        await _arc.LoginTokenAsync(client, email, NewPassword);
    }

    private async Task<string> UserIdAsync(string email)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<IUserRepository>().FindByEmailAsync(Normalizer.Email(email)))!.Id;
    }
}
