using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Dialects.Arc;

/// <summary>Dialect "arc": forgotten password and sign-up by email, end to end through the real SMTP server.</summary>
public sealed class ArcPasswordAndSignUpTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly ArcApi _arc = new(factory);

    [Fact]
    public async Task A_forgotten_password_is_reset_through_the_emailed_link_once_and_old_tokens_are_revoked()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        var before = await _arc.LoginTokenAsync(client, email);

        var asked = await _arc.PostAsync("/auth/forget-password", new { username = email, client_id = client.ClientId, client_secret = client.Secret });
        Assert.Equal(HttpStatusCode.NoContent, asked.StatusCode);
        var mail = await MailDev.WaitForAsync(email, "Reset your");
        var token = mail.Token;

        var verified = await _arc.SendAsync(HttpMethod.Get, "/auth/verify-reset-password-link?token=" + Uri.EscapeDataString(token));
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.True((await verified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("success").GetBoolean());

        await ArcApi.AssertErrorAsync(
            await _arc.SendAsync(HttpMethod.Patch, "/auth/reset-password", new { token, password = "a new passphrase here", client_id = client.ClientId, client_secret = "wrong" }),
            HttpStatusCode.Unauthorized, "Client Invalid");
        await ArcApi.AssertErrorAsync(
            await _arc.SendAsync(HttpMethod.Patch, "/auth/reset-password", new { token, password = ArcApi.Password, client_id = client.ClientId, client_secret = client.Secret }),
            HttpStatusCode.Unauthorized, "Password cannot be same as previous password!");
        var reset = await _arc.SendAsync(HttpMethod.Patch, "/auth/reset-password", new { token, password = "a new passphrase here", client_id = client.ClientId, client_secret = client.Secret });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        await ArcApi.AssertErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth/verify-reset-password-link?token=" + Uri.EscapeDataString(token)), HttpStatusCode.Unauthorized, "TokenRevoked");
        await ArcApi.AssertErrorAsync(
            await _arc.SendAsync(HttpMethod.Patch, "/auth/reset-password", new { token, password = "yet another passphrase", client_id = client.ClientId, client_secret = client.Secret }),
            HttpStatusCode.Unauthorized, "TokenRevoked");
        await ArcApi.AssertErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth/verify-reset-password-link?token=made-up"), HttpStatusCode.Unauthorized, "Token Expired");
        await ArcApi.AssertObjectErrorAsync(await _arc.MeAsync(before.AccessToken), HttpStatusCode.Unauthorized, "TokenRevoked");
        await _arc.LoginTokenAsync(client, email, "a new passphrase here");
    }

    [Fact]
    public async Task A_reset_link_expires()
    {
        var client = await _arc.CreateClientAsync();
        var email = await _arc.UserOnClientAsync(client);
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.PostAsync("/auth/forget-password", new { username = email, client_id = client.ClientId, client_secret = client.Secret })).StatusCode);
        var token = (await MailDev.WaitForAsync(email, "Reset your")).Token;
        factory.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await ArcApi.AssertErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth/verify-reset-password-link?token=" + Uri.EscapeDataString(token)), HttpStatusCode.Unauthorized, "Token Expired");
    }

    [Fact]
    public async Task Forget_password_refuses_a_bad_client_and_an_unknown_user()
    {
        var client = await _arc.CreateClientAsync();
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/forget-password", new { username = "x@example.com", client_id = client.ClientId, client_secret = "wrong" }), HttpStatusCode.Unauthorized, "Client Invalid");
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/forget-password", new { username = "nobody@example.com", client_id = client.ClientId, client_secret = client.Secret }), HttpStatusCode.Unauthorized, "Invalid Credentials");
    }

    [Fact]
    public async Task Forget_password_for_a_user_without_email_is_a_422()
    {
        var client = await _arc.CreateClientAsync();
        var username = "noemail" + Guid.NewGuid().ToString("N")[..8];
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var created = await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(
                new RegistrationRequest { Username = username, Password = ArcApi.Password }, new RegistrationMode { ByAdministrator = true }, RequestContext.Internal);
            Assert.True(created.Succeeded, created.Error?.ToString());
            await _arc.AllowAsync(created.Value.User.Id, client);
        }
        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/forget-password", new { username, client_id = client.ClientId, client_secret = client.Secret }), HttpStatusCode.UnprocessableEntity, "User email not found");
        // A username signs in as well as an email.
        await _arc.LoginTokenAsync(client, username.ToUpperInvariant());
    }

    [Fact]
    public async Task The_reset_link_template_and_the_base_path_are_configurable()
    {
        using var moved = new GatehouseFactory(new Dictionary<string, string?>
        {
            ["Gatehouse:Dialects:arc:BasePath"] = "/arc",
            ["Gatehouse:Dialects:arc:PasswordResetLink"] = "https://app.example.com/reset-password?token={token}",
        });
        var arc = new ArcApi(moved);
        var client = await arc.CreateClientAsync();
        var email = await arc.UserOnClientAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await arc.PostAsync("/arc/auth/login-token", new { client_id = client.ClientId, client_secret = client.Secret, username = email, password = ArcApi.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await arc.PostAsync("/arc/auth/forget-password", new { username = email, client_id = client.ClientId, client_secret = client.Secret })).StatusCode);
        var mail = await MailDev.WaitForAsync(email, "Reset your");
        Assert.StartsWith("https://app.example.com/reset-password?token=", mail.Link, StringComparison.Ordinal);
        // Outside its base path, unknown routes are the native API's.
        Assert.Equal("application/problem+json", (await arc.SendAsync(HttpMethod.Get, "/auth/login")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Sign_up_by_email_creates_the_user_once_with_the_emailed_token()
    {
        var email = Emails.New("signup");
        var asked = await _arc.PostAsync("/auth/sign-up/create-token", new { email, data = new { plan = "free" } });
        Assert.Equal(HttpStatusCode.NoContent, asked.StatusCode);
        var token = (await MailDev.WaitForAsync(email, "Finish signing up")).Token;

        var verified = await _arc.SendAsync(HttpMethod.Get, "/auth/sign-up/verify-token", bearer: token);
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var claims = await verified.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, claims.GetProperty("email").GetString());
        Assert.True(claims.GetProperty("exp").GetInt64() > claims.GetProperty("iat").GetInt64());

        await ArcApi.AssertErrorAsync(await _arc.PostAsync("/auth/sign-up/create-user", new { email = "other@example.com", password = "a sign-up passphrase" }, token), HttpStatusCode.Unauthorized, "Invalid Credentials");
        var created = await _arc.PostAsync("/auth/sign-up/create-user", new { email, password = "a sign-up passphrase", firstName = "Sig" }, token);
        var body = await created.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Golden.AssertMatches("arc/sign-up-user.json", body);

        await ArcApi.AssertObjectErrorAsync(await _arc.PostAsync("/auth/sign-up/create-user", new { email, password = "a sign-up passphrase" }, token), HttpStatusCode.Unauthorized, "TokenRevoked");
        await ArcApi.AssertObjectErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth/sign-up/verify-token", bearer: "made-up"), HttpStatusCode.Unauthorized, "TokenExpired");
        await ArcApi.AssertErrorAsync(await _arc.SendAsync(HttpMethod.Get, "/auth/sign-up/verify-token"), HttpStatusCode.Unauthorized, "Bearer realm=\"Users\"");

        // The new account signs in through the native API (one user base).
        await _arc.Native.SignInAsync(email, "a sign-up passphrase");
    }
}
