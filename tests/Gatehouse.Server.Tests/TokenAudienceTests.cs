using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Dialects.Arc;
using Gatehouse.Server.Tests.Dialects.Fittrackee;
using Gatehouse.Server.Tests.Dialects.Keymetrics;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>
/// Tokens open only the doors they were cut for (issue 19, finding 1; the table of surfaces and
/// audiences is in docs/architecture.md, "Token audiences"): through the real host, each surface
/// refuses a token of another audience in its own error shape.
/// </summary>
public sealed class TokenAudienceTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly ArcApi _arc = new(factory);
    private readonly FittrackeeClient _fittrackee = new(factory.CreateClient());
    private readonly KeymetricsClient _keymetrics = new(factory.CreateClient());

    private NativeClient Native => _arc.Native;

    /// <summary>An administrator: their email, password, native (first-party) token and id.</summary>
    private async Task<(string Email, string Password, string Token, string Id)> AdminAsync()
    {
        var (email, password) = await factory.CreateAdminAsync();
        var token = (await Native.SignInAsync(email, password)).AccessToken;
        var me = await (await Native.MeAsync(token)).Content.ReadFromJsonAsync<JsonElement>();
        return (email, password, token, me.GetProperty("id").GetString()!);
    }

    /// <summary>The administrator signed in through an arc client, allowed on it through the admin API.</summary>
    private async Task<string> ArcTokenOfAdminAsync((string Email, string Password, string Token, string Id) admin)
    {
        var client = await _arc.CreateClientAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await Native.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{admin.Id}/clients/{client.ClientId}", admin.Token)).StatusCode);
        return (await _arc.LoginTokenAsync(client, admin.Email, admin.Password)).AccessToken;
    }

    private async Task<string> FittrackeeTokenAsync(string email, string password)
    {
        var login = await _fittrackee.LoginAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, login.Status);
        return login.Json.GetProperty("auth_token").GetString()!;
    }

    /// <summary>One administrator's tokens of four audiences: Gatehouse's own, an arc client's, fittrackee's; and a keymetrics user's.</summary>
    private async Task<(string Native, string Arc, string Fittrackee, string Keymetrics)> TokensOfEveryAudienceAsync()
    {
        var admin = await AdminAsync();
        return (admin.Token, await ArcTokenOfAdminAsync(admin), await FittrackeeTokenAsync(admin.Email, admin.Password), (await _keymetrics.RegisterAsync()).AccessToken);
    }

    private static async Task AssertNativeRefusalAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("token_invalid", await NativeClient.ProblemCodeAsync(response));
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task An_administrator_s_token_for_an_arc_client_does_not_open_the_admin_api()
    {
        var admin = await AdminAsync();
        var arcToken = await ArcTokenOfAdminAsync(admin);

        await AssertNativeRefusalAsync(await Native.SendAsync(HttpMethod.Get, "/api/v1/admin/users", arcToken));
        await AssertNativeRefusalAsync(await Native.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{admin.Id}/roles", arcToken, new { roles = Array.Empty<string>() }));
        // Nor arc's own administration, which reads every client's secret: 403 as for any user.
        await ArcApi.AssertErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth-clients", bearer: arcToken), HttpStatusCode.Forbidden, "NotAllowedAccess");
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/otp-caches", new { otp = "123456", username = admin.Email }, arcToken), HttpStatusCode.Forbidden, "NotAllowedAccess");
        // The same administrator's own token still administers, here and through arc.
        Assert.Equal(HttpStatusCode.OK, (await Native.SendAsync(HttpMethod.Get, "/api/v1/admin/users", admin.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _arc.SendAsync(HttpMethod.Get, "/auth-clients/count", bearer: admin.Token)).StatusCode);
    }

    [Fact]
    public async Task A_fittrackee_token_of_an_administrator_opens_neither_the_admin_api_nor_the_account_api()
    {
        var admin = await AdminAsync();
        var fittrackeeToken = await FittrackeeTokenAsync(admin.Email, admin.Password);

        await AssertNativeRefusalAsync(await Native.SendAsync(HttpMethod.Get, "/api/v1/admin/users", fittrackeeToken));
        await AssertNativeRefusalAsync(await Native.MeAsync(fittrackeeToken));
        await AssertNativeRefusalAsync(await Native.PostAsync("/api/v1/account/sign-out", new { }, fittrackeeToken));
        Assert.Equal(HttpStatusCode.OK, (await _fittrackee.ProfileAsync(fittrackeeToken)).Status);
    }

    [Fact]
    public async Task Each_dialect_refuses_a_token_of_another_audience_in_its_own_error_shape()
    {
        var (_, arcToken, fittrackeeToken, keymetricsToken) = await TokensOfEveryAudienceAsync();

        foreach (var foreign in new[] { arcToken, keymetricsToken })
        {
            var profile = await _fittrackee.ProfileAsync(foreign);
            FittrackeeClient.AssertError(profile, HttpStatusCode.Unauthorized, "Invalid token. Please log in again.");
        }
        foreach (var foreign in new[] { fittrackeeToken, keymetricsToken })
        {
            await ArcApi.AssertObjectErrorAsync(await _arc.PostAsync("/logout", new { refreshToken = "x" }, foreign), HttpStatusCode.Unauthorized, "TokenExpired");
        }
        await ArcApi.AssertObjectErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth-clients", bearer: fittrackeeToken), HttpStatusCode.Unauthorized, "TokenExpired");
        foreach (var foreign in new[] { arcToken, fittrackeeToken })
        {
            var sent = await _keymetrics.PostAsync("/send_email_link", bearer: foreign);
            Assert.Equal("Invalid access token", await KeymetricsClient.MsgAsync(sent, HttpStatusCode.Unauthorized));
            Assert.Equal("Bearer error=\"invalid_token\"", sent.Headers.WwwAuthenticate.ToString());
            Assert.Equal("Invalid access token", await KeymetricsClient.MsgAsync(await _keymetrics.PostAsync("/revoke", bearer: foreign), HttpStatusCode.Unauthorized));
        }
        // Refused, not ended: the sessions behind those tokens still work where they belong.
        Assert.Equal(HttpStatusCode.OK, (await _fittrackee.ProfileAsync(fittrackeeToken)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _arc.MeAsync(arcToken)).StatusCode);
    }

    [Fact]
    public async Task The_shared_auth_me_answers_every_gatehouse_token_in_arc_s_shape()
    {
        var (native, arcToken, fittrackeeToken, keymetricsToken) = await TokensOfEveryAudienceAsync();

        foreach (var token in new[] { native, arcToken, fittrackeeToken, keymetricsToken })
        {
            var me = await _arc.MeAsync(token);
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(JsonValueKind.String, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").ValueKind);
        }
    }

    [Fact]
    public async Task Every_dialect_takes_gatehouse_s_own_tokens_besides_its_own()
    {
        var registered = await _keymetrics.RegisterAsync();
        var native = () => Native.SignInAsync(registered.Email, KeymetricsClient.Password);

        Assert.Equal(HttpStatusCode.OK, (await _fittrackee.ProfileAsync((await native()).AccessToken)).Status);
        var arcLogout = await native();
        Assert.Equal(HttpStatusCode.OK, (await _arc.PostAsync("/logout", new { refreshToken = arcLogout.RefreshToken }, arcLogout.AccessToken)).StatusCode);
        Assert.Equal("Token revoked", await KeymetricsClient.MsgAsync(await _keymetrics.PostAsync("/revoke", bearer: (await native()).AccessToken), HttpStatusCode.OK));
        Assert.Equal("Token revoked", await KeymetricsClient.MsgAsync(await _keymetrics.PostAsync("/revoke", bearer: registered.AccessToken), HttpStatusCode.OK));
    }
}
