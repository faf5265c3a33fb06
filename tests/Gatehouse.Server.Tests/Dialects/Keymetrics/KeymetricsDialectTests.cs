using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Core.Audit;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Dialects.Keymetrics;

/// <summary>Dialect "keymetrics" (CONTRACTS.md, "000") through the real host, database and SMTP server.</summary>
public sealed class KeymetricsDialectTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly KeymetricsClient _km = new(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));
    private readonly NativeClient _native = factory.Native();

    [Fact]
    public async Task Register_returns_the_user_and_a_token_pair_and_stores_role_and_company()
    {
        var registered = await _km.RegisterAsync(role: "CTO", company: "Acme");
        Golden.AssertMatches("keymetrics/register.json", registered.Body);
        var json = JsonDocument.Parse(registered.Body).RootElement;
        Assert.Equal(registered.Email, json.GetProperty("user").GetProperty("email").GetString());
        Assert.Equal("CTO", json.GetProperty("user").GetProperty("role").GetString());
        Assert.Equal(json.GetProperty("refresh_token").GetProperty("token").GetString(), json.GetProperty("refreshToken").GetProperty("token").GetString());

        // The access token works at once (on a bearer route of the dialect).
        Assert.Equal(HttpStatusCode.OK, (await _km.PostAsync("/send_email_link", bearer: registered.AccessToken)).StatusCode);

        // Cross-dialect: the same account signs in through the native API, by email and by username.
        var tokens = await _native.SignInAsync(registered.Email);
        await _native.SignInAsync(registered.Username);
        var me = await (await _native.MeAsync(tokens.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("CTO", me.GetProperty("jobTitle").GetString());
        Assert.Equal("Acme", me.GetProperty("company").GetString());
        Assert.Equal(registered.Username, me.GetProperty("username").GetString());
    }

    [Theory]
    [InlineData("true")]
    [InlineData("1")]
    [InlineData("\"1\"")]
    public async Task Register_accepts_truthy_accept_terms(string acceptTerms)
    {
        var body = $$"""{"username":"{{KeymetricsClient.NewUsername()}}","email":"{{Emails.New("km")}}","password":"{{KeymetricsClient.Password}}","accept_terms":{{acceptTerms}}}""";
        var response = await _km.PostRawAsync("/register", body, "application/json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("2")]
    [InlineData("null")]
    [InlineData("\"yes\"")]
    public async Task Register_refuses_accept_terms_that_is_not_truthy(string acceptTerms)
    {
        var body = $$"""{"username":"{{KeymetricsClient.NewUsername()}}","email":"{{Emails.New("km")}}","password":"{{KeymetricsClient.Password}}","accept_terms":{{acceptTerms}}}""";
        var response = await _km.PostRawAsync("/register", body, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var json = await KeymetricsClient.JsonAsync(response);
        Assert.Equal("You must accept the terms of service", json.GetProperty("accept_terms").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Register_without_fields_names_each_missing_field()
    {
        var response = await _km.PostRawAsync("/register", "{}", "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Golden.AssertMatches("keymetrics/register-missing-fields.json", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Register_refuses_invalid_fields_in_the_field_shape()
    {
        var badEmail = await _km.PostAsync("/register", KeymetricsClient.SignUp("not-an-email", KeymetricsClient.NewUsername()));
        Assert.Equal(HttpStatusCode.BadRequest, badEmail.StatusCode);
        Golden.AssertMatches("keymetrics/field-error-email.json", await badEmail.Content.ReadAsStringAsync());

        var shortPassword = await _km.PostAsync("/register", KeymetricsClient.SignUp(Emails.New("km"), KeymetricsClient.NewUsername(), password: "short"));
        Assert.Equal(HttpStatusCode.BadRequest, shortPassword.StatusCode);
        Assert.Equal("password is too short", (await KeymetricsClient.JsonAsync(shortPassword)).GetProperty("password").GetProperty("message").GetString());

        var badUsername = await _km.PostAsync("/register", KeymetricsClient.SignUp(Emails.New("km"), "has spaces"));
        Assert.Equal("username is invalid", (await KeymetricsClient.JsonAsync(badUsername)).GetProperty("username").GetProperty("message").GetString());

        var numberAsUsername = await _km.PostRawAsync("/register", $$"""{"username":42,"email":"{{Emails.New("km")}}","password":"{{KeymetricsClient.Password}}","accept_terms":1}""", "application/json");
        Assert.Equal("username must be a string", (await KeymetricsClient.JsonAsync(numberAsUsername)).GetProperty("username").GetProperty("message").GetString());

        var longRole = await _km.PostAsync("/register", KeymetricsClient.SignUp(Emails.New("km"), KeymetricsClient.NewUsername(), role: new string('r', 101)));
        Assert.Equal("role is too long", (await KeymetricsClient.JsonAsync(longRole)).GetProperty("role").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Register_answers_409_when_the_username_or_the_email_is_taken()
    {
        var first = await _km.RegisterAsync();

        var sameEmail = await _km.PostAsync("/register", KeymetricsClient.SignUp(first.Email.ToUpperInvariant(), KeymetricsClient.NewUsername()));
        Assert.Equal("Email already used", await KeymetricsClient.MsgAsync(sameEmail, HttpStatusCode.Conflict));

        var sameUsername = await _km.PostAsync("/register", KeymetricsClient.SignUp(Emails.New("km"), first.Username));
        Assert.Equal("Username already used", await KeymetricsClient.MsgAsync(sameUsername, HttpStatusCode.Conflict));

        // A native account's email is taken here too: one user base.
        var nativeEmail = Emails.New("native");
        await _native.RegisterAsync(nativeEmail);
        await KeymetricsClient.MsgAsync(await _km.PostAsync("/register", KeymetricsClient.SignUp(nativeEmail, KeymetricsClient.NewUsername())), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Get_register_is_not_served_yet_and_answers_405_in_the_dialect_shape()
    {
        var response = await _km.Http.GetAsync("/api/oauth/register");
        await KeymetricsClient.MsgAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    // Issue 20 changed this on purpose: each /token used to supersede the access tokens before it.
    [Fact]
    public async Task Token_refresh_keeps_the_same_refresh_token_and_every_access_token_of_the_session_stays_valid()
    {
        var registered = await _km.RegisterAsync();

        var refreshed = await _km.RefreshAsync(registered.RefreshToken);
        var body = await refreshed.Content.ReadAsStringAsync();
        Assert.True(refreshed.StatusCode == HttpStatusCode.OK, body);
        Golden.AssertMatches("keymetrics/token.json", body);
        Assert.Equal("no-store", refreshed.Headers.CacheControl?.ToString());
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(registered.RefreshToken, json.GetProperty("refresh_token").GetString());
        var access = json.GetProperty("access_token").GetString()!;
        Assert.True(DateTimeOffset.Parse(json.GetProperty("expire_at").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > factory.Clock.GetUtcNow());

        // The same refresh token works again (not rotated, no reuse detection), and every access
        // token issued from it lives on (CLI and agent may share one refresh token).
        var again = await _km.RefreshAsync(registered.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var latest = (await KeymetricsClient.JsonAsync(again)).GetProperty("access_token").GetString()!;
        foreach (var token in new[] { registered.AccessToken, access, latest })
        {
            Assert.Equal(HttpStatusCode.OK, (await _km.PostAsync("/send_email_link", bearer: token)).StatusCode);
        }
        // Issue 19, finding 1: the native account API takes only Gatehouse's own tokens, not a
        // keymetrics client's (docs/architecture.md, "Token audiences").
        Assert.Equal(HttpStatusCode.Unauthorized, (await _native.MeAsync(latest)).StatusCode);
    }

    [Fact]
    public async Task Token_accepts_a_form_the_refreshToken_alias_and_ignores_scope()
    {
        var registered = await _km.RegisterAsync();

        var form = await _km.PostFormAsync("/token", new Dictionary<string, string>
        {
            ["client_id"] = KeymetricsClient.ClientId,
            ["refresh_token"] = registered.RefreshToken,
            ["grant_type"] = "refresh_token",
            ["scope"] = "all",
        });
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Golden.AssertMatches("keymetrics/token.json", await form.Content.ReadAsStringAsync());

        var alias = await _km.PostAsync("/token", new { client_id = KeymetricsClient.ClientId, refreshToken = registered.RefreshToken, grant_type = "refresh_token", scope = "all" });
        Assert.Equal(HttpStatusCode.OK, alias.StatusCode);
        Assert.Equal(registered.RefreshToken, (await KeymetricsClient.JsonAsync(alias)).GetProperty("refresh_token").GetString());
    }

    [Fact]
    public async Task Token_answers_invalid_request_for_missing_or_wrong_parameters()
    {
        var registered = await _km.RegisterAsync();
        object[] bodies =
        [
            new { client_id = KeymetricsClient.ClientId, refresh_token = registered.RefreshToken },
            new { client_id = KeymetricsClient.ClientId, refresh_token = registered.RefreshToken, grant_type = "password" },
            new { refresh_token = registered.RefreshToken, grant_type = "refresh_token" },
            new { client_id = KeymetricsClient.ClientId, grant_type = "refresh_token" },
            new { client_id = KeymetricsClient.ClientId, refresh_token = 12, grant_type = "refresh_token" },
        ];
        foreach (var body in bodies)
        {
            Assert.Equal("invalid_request", await KeymetricsClient.OAuthErrorAsync(await _km.PostAsync("/token", body)));
        }
        Assert.Equal("invalid_request", await KeymetricsClient.OAuthErrorAsync(await _km.PostRawAsync("/token", "{\"grant_type\":", "application/json")));
        Assert.Equal("invalid_request", await KeymetricsClient.OAuthErrorAsync(await _km.PostAsync("/token")));
    }

    [Fact]
    public async Task Token_answers_invalid_grant_for_an_unknown_token_or_a_native_refresh_token()
    {
        var registered = await _km.RegisterAsync();
        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await _km.RefreshAsync("not-a-token")));

        // A native session is no client's: its refresh token is not this dialect's to use.
        var native = await _native.SignInAsync(registered.Email);
        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await _km.RefreshAsync(native.RefreshToken)));
        Assert.Equal(HttpStatusCode.OK, (await _native.RefreshAsync(native.RefreshToken)).StatusCode);
    }

    // Issue 20 changed this on purpose: another client id used to be invalid_grant.
    [Fact]
    public async Task Token_takes_any_client_id_for_the_dialect_s_public_client_and_records_the_id_presented()
    {
        var registered = await _km.RegisterAsync();

        foreach (var clientId in new[] { "795984050", "someone-else", KeymetricsClient.ClientId })
        {
            Assert.Equal(HttpStatusCode.OK, (await _km.RefreshAsync(registered.RefreshToken, clientId)).StatusCode);
        }

        using var scope = factory.Services.CreateScope();
        var client = await scope.ServiceProvider.GetRequiredService<IClientRepository>().FindAsync(KeymetricsClient.ClientId);
        Assert.True(client!.IsPublic);
        var recorded = await scope.ServiceProvider.GetRequiredService<IAuditLog>().ListAsync(null, AuditTypes.PublicClientIdPresented, 0, 200);
        var mine = recorded.Items.Where(e => e.Detail is "795984050" or "someone-else" && e.ClientId == KeymetricsClient.ClientId).ToList();
        Assert.Contains(mine, e => e.Detail == "795984050");
        Assert.Contains(mine, e => e.Detail == "someone-else");
    }

    [Fact]
    public async Task Revoke_ends_the_session_so_its_refresh_token_and_every_access_token_stop_working()
    {
        var registered = await _km.RegisterAsync();
        var refreshed = await KeymetricsClient.JsonAsync(await _km.RefreshAsync(registered.RefreshToken));
        var access = refreshed.GetProperty("access_token").GetString()!;
        // Another session of the same user is untouched.
        var other = await _native.SignInAsync(registered.Email);

        var revoked = await _km.PostAsync("/revoke", bearer: access);
        Assert.Equal("Token revoked", await KeymetricsClient.MsgAsync(revoked, HttpStatusCode.OK));

        Assert.Equal(HttpStatusCode.Unauthorized, (await _km.PostAsync("/send_email_link", bearer: access)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _native.MeAsync(access)).StatusCode);
        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await _km.RefreshAsync(registered.RefreshToken)));
        Assert.Equal(HttpStatusCode.OK, (await _native.MeAsync(other.AccessToken)).StatusCode);

        // The session is gone: revoking again is a 404.
        Assert.Equal("Token not found", await KeymetricsClient.MsgAsync(await _km.PostAsync("/revoke", bearer: access), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Revoke_needs_a_valid_bearer_token_of_the_session()
    {
        var missing = await _km.PostAsync("/revoke");
        await KeymetricsClient.MsgAsync(missing, HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.ToString());
        await KeymetricsClient.MsgAsync(await _km.PostAsync("/revoke", bearer: "garbage"), HttpStatusCode.Unauthorized);

        // Issue 20: the access token /register returned still speaks for the session after a /token
        // (it used to be superseded and answer 401 here), and revoking with it ends everything.
        var registered = await _km.RegisterAsync();
        var refreshed = (await KeymetricsClient.JsonAsync(await _km.RefreshAsync(registered.RefreshToken))).GetProperty("access_token").GetString();
        Assert.Equal("Token revoked", await KeymetricsClient.MsgAsync(await _km.PostAsync("/revoke", bearer: registered.AccessToken), HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _km.PostAsync("/send_email_link", bearer: refreshed)).StatusCode);
    }

    [Fact]
    public async Task Send_email_link_then_valid_email_confirms_through_the_real_smtp_server_once()
    {
        var registered = await _km.RegisterAsync();
        // Registration already sent one link; send_email_link sends another.
        var sent = await _km.PostAsync("/send_email_link", bearer: registered.AccessToken);
        Assert.Equal("Email sent", await KeymetricsClient.MsgAsync(sent, HttpStatusCode.OK));
        var mail = await MailDev.WaitForAsync(registered.Email, "Confirm your email", count: 2);
        var prefix = GatehouseFactory.PublicBaseUrl + "/api/oauth/valid_email/";
        Assert.StartsWith(prefix, mail.Link, StringComparison.Ordinal);

        var confirmed = await _km.Http.GetAsync(new Uri(mail.Link).PathAndQuery);
        Assert.Equal(HttpStatusCode.MovedPermanently, confirmed.StatusCode);
        Assert.Equal(GatehouseFactory.PublicBaseUrl + "/", confirmed.Headers.Location?.ToString());

        var tokens = await _native.SignInAsync(registered.Email);
        Assert.True((await (await _native.MeAsync(tokens.AccessToken)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("emailConfirmed").GetBoolean());

        // Single use: the same link again, and a made-up one, are 404.
        await KeymetricsClient.MsgAsync(await _km.Http.GetAsync(new Uri(mail.Link).PathAndQuery), HttpStatusCode.NotFound);
        await KeymetricsClient.MsgAsync(await _km.Http.GetAsync("/api/oauth/valid_email/made-up-token"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Send_email_link_needs_a_bearer_token()
    {
        await KeymetricsClient.MsgAsync(await _km.PostAsync("/send_email_link"), HttpStatusCode.Unauthorized);
        await KeymetricsClient.MsgAsync(await _km.PostAsync("/send_email_link", bearer: "a.b.c"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Reset_password_emails_a_link_through_the_real_smtp_server_that_sets_a_new_password()
    {
        var registered = await _km.RegisterAsync();
        var response = await _km.PostAsync("/reset_password", new { email = registered.Email });
        Assert.Equal("Email sent", await KeymetricsClient.MsgAsync(response, HttpStatusCode.OK));

        var mail = await MailDev.WaitForAsync(registered.Email, "Reset your");
        const string newPassword = "a brand new passphrase";
        var reset = await _native.PostAsync("/api/v1/account/password/reset", new { token = mail.Token, newPassword });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        await _native.SignInAsync(registered.Username, newPassword);

        // The reset ended every session, this dialect's included.
        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await _km.RefreshAsync(registered.RefreshToken)));
    }

    [Fact]
    public async Task Reset_password_answers_400_without_an_email_and_404_for_an_unknown_one()
    {
        var missing = await _km.PostAsync("/reset_password", new { });
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Golden.AssertMatches("keymetrics/field-error-email.json", await missing.Content.ReadAsStringAsync());

        var blank = await _km.PostAsync("/reset_password", new { email = "  " });
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);

        await KeymetricsClient.MsgAsync(await _km.PostAsync("/reset_password", new { email = Emails.New("nobody") }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_failure_under_the_base_path_is_json_in_the_dialect_shape()
    {
        await KeymetricsClient.MsgAsync(await _km.Http.GetAsync("/api/oauth/nope"), HttpStatusCode.NotFound);
        await KeymetricsClient.MsgAsync(await _km.Http.DeleteAsync("/api/oauth/revoke"), HttpStatusCode.MethodNotAllowed);
        await KeymetricsClient.MsgAsync(await _km.PostRawAsync("/register", "{\"username\":", "application/json"), HttpStatusCode.BadRequest);
        await KeymetricsClient.MsgAsync(await _km.PostRawAsync("/register", "[1,2]", "application/json"), HttpStatusCode.BadRequest);
        await KeymetricsClient.MsgAsync(await _km.PostRawAsync("/register", "hello", "text/plain"), HttpStatusCode.UnsupportedMediaType);
        await KeymetricsClient.MsgAsync(await _km.PostRawAsync("/reset_password", "{\"email\":\"" + new string('a', 70_000) + "\"}", "application/json"), HttpStatusCode.RequestEntityTooLarge);

        // /token speaks OAuth even for a wrong method.
        var get = await _km.Http.GetAsync("/api/oauth/token");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Golden.AssertMatches("keymetrics/oauth-error.json", await get.Content.ReadAsStringAsync());
    }
}
