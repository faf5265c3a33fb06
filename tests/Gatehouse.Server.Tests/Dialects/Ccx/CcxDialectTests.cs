using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Tests.Dialects.Ccx;

/// <summary>Dialect ccx (CONTRACTS.md "003") through the real host, database and SMTP server.</summary>
public sealed class CcxDialectTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly NativeClient _native = factory.Native();

    private CcxClient NewClient() => CcxClient.For(factory);

    [Fact]
    public async Task Register_answers_the_user_sets_a_session_cookie_and_check_returns_the_same_user()
    {
        var ccx = NewClient();
        var login = Emails.New();
        var response = await ccx.PostAsync("/register", new { login, password = CcxClient.Password, firstName = "Che", lastName = "Guevara" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Golden.AssertMatches("ccx/user.json", body);
        var user = JsonDocument.Parse(body).RootElement;
        Assert.Equal(login, user.GetProperty("login").GetString());
        Assert.Equal("Che", user.GetProperty("firstName").GetString());
        Assert.Equal("Guevara", user.GetProperty("lastName").GetString());
        Assert.Equal(1, user.GetProperty("status").GetInt32());
        Assert.NotNull(ccx.Sid);

        var check = await ccx.CheckAsync();
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        var checkBody = await check.Content.ReadAsStringAsync();
        Golden.AssertMatches("ccx/user.json", checkBody);
        Assert.Equal(user.GetProperty("id").GetString(), JsonDocument.Parse(checkBody).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_sid_cookie_is_an_opaque_http_only_lax_cookie_on_the_base_path_and_not_secure_over_http()
    {
        var ccx = NewClient();
        var login = Emails.New();
        var user = await ccx.RegisterAsync(login);
        var response = await ccx.PostAsync("/login", new { login, password = CcxClient.Password });

        var cookie = CcxClient.SidCookie(response);
        Assert.NotNull(cookie);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteMode.Lax, cookie.SameSite);
        Assert.False(cookie.Secure);
        Assert.Equal("/ccx", cookie.Path.ToString());
        Assert.True(cookie.Expires > DateTimeOffset.UtcNow.AddDays(1));

        // 256 random bits, base64url: neither a JWT nor anything derived from the user.
        var value = cookie.Value.ToString();
        Assert.Equal(43, value.Length);
        Assert.DoesNotContain('.', value);
        Assert.DoesNotContain(user.GetProperty("id").GetString()!, value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_https_the_sid_cookie_is_secure()
    {
        var ccx = CcxClient.For(factory, baseAddress: "https://localhost");
        var response = await ccx.PostAsync("/register", new { login = Emails.New(), password = CcxClient.Password, firstName = "A", lastName = "B" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(CcxClient.SidCookie(response)!.Secure);
    }

    [Fact]
    public async Task Check_without_a_cookie_or_with_an_unknown_one_is_401()
    {
        var ccx = NewClient();
        await CcxClient.AssertErrorAsync(await ccx.CheckAsync(), HttpStatusCode.Unauthorized);

        var unknown = await ccx.CheckAsync(sid: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        await CcxClient.AssertErrorAsync(unknown, HttpStatusCode.Unauthorized);
        // A cookie that will never work again is cleared.
        Assert.True(CcxClient.SidCookie(unknown)!.Expires < DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Login_with_a_wrong_password_or_an_unknown_login_is_401()
    {
        var ccx = NewClient();
        var login = Emails.New();
        await ccx.RegisterAsync(login);
        var other = NewClient();

        await CcxClient.AssertErrorAsync(await other.PostAsync("/login", new { login, password = "wrong password entirely" }), HttpStatusCode.Unauthorized);
        await CcxClient.AssertErrorAsync(await other.PostAsync("/login", new { login = Emails.New(), password = CcxClient.Password }), HttpStatusCode.Unauthorized);
        Assert.Null(other.Sid);
    }

    [Fact]
    public async Task Logout_ends_the_core_session_and_clears_the_cookie()
    {
        var ccx = NewClient();
        await ccx.RegisterAsync(Emails.New());
        var sid = ccx.Sid!;

        var logout = await ccx.PostAsync("/logout");
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        var cleared = CcxClient.SidCookie(logout);
        Assert.NotNull(cleared);
        Assert.True(cleared.Expires < DateTimeOffset.UtcNow);
        Assert.Equal("/ccx", cleared.Path.ToString());
        Assert.Null(ccx.Sid);

        // The secret itself is dead on the server, not only forgotten by the browser.
        await CcxClient.AssertErrorAsync(await ccx.CheckAsync(sid), HttpStatusCode.Unauthorized);

        // Logging out without a session is still 204.
        Assert.Equal(HttpStatusCode.NoContent, (await ccx.PostAsync("/logout")).StatusCode);
    }

    [Fact]
    public async Task Logging_in_again_ends_the_previous_session_of_the_same_browser()
    {
        var ccx = NewClient();
        var login = Emails.New();
        await ccx.RegisterAsync(login);
        var first = ccx.Sid!;
        await ccx.LoginAsync(login);
        Assert.NotEqual(first, ccx.Sid);

        await CcxClient.AssertErrorAsync(await ccx.CheckAsync(first), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await ccx.CheckAsync()).StatusCode);
    }

    [Fact]
    public async Task Register_with_a_taken_or_invalid_login_or_a_weak_password_is_401()
    {
        var ccx = NewClient();
        var login = Emails.New();
        await ccx.RegisterAsync(login);
        var other = NewClient();

        await CcxClient.AssertErrorAsync(await other.PostAsync("/register", new { login = login.ToUpperInvariant(), password = CcxClient.Password, firstName = "A", lastName = "B" }), HttpStatusCode.Unauthorized);
        await CcxClient.AssertErrorAsync(await other.PostAsync("/register", new { login = "not an email", password = CcxClient.Password, firstName = "A", lastName = "B" }), HttpStatusCode.Unauthorized);
        await CcxClient.AssertErrorAsync(await other.PostAsync("/register", new { login = Emails.New(), password = "short", firstName = "A", lastName = "B" }), HttpStatusCode.Unauthorized);
        Assert.Null(other.Sid);
    }

    [Fact]
    public async Task A_post_from_a_foreign_origin_is_refused_with_403_even_with_a_valid_cookie()
    {
        var ccx = NewClient();
        var login = Emails.New();
        await ccx.RegisterAsync(login);

        var forged = await ccx.PostAsync("/logout", origin: "https://evil.example");
        var message = await CcxClient.AssertErrorAsync(forged, HttpStatusCode.Forbidden);
        Assert.Contains("origin", message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await ccx.CheckAsync()).StatusCode);

        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", new { login, password = CcxClient.Password }, origin: "null"), HttpStatusCode.Forbidden);

        using var crossSite = new HttpRequestMessage(HttpMethod.Post, "/ccx/logout");
        crossSite.Headers.Add("Cookie", $"sid={ccx.Sid}");
        crossSite.Headers.Add("Sec-Fetch-Site", "cross-site");
        await CcxClient.AssertErrorAsync(await ccx.Http.SendAsync(crossSite), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await ccx.CheckAsync()).StatusCode);
    }

    [Fact]
    public async Task A_post_from_the_same_host_or_the_public_base_url_is_accepted()
    {
        var ccx = NewClient();
        var login = Emails.New();
        await ccx.RegisterAsync(login);

        Assert.Equal(HttpStatusCode.OK, (await ccx.PostAsync("/login", new { login, password = CcxClient.Password }, origin: "http://localhost")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ccx.PostAsync("/login", new { login, password = CcxClient.Password }, origin: GatehouseFactory.PublicBaseUrl)).StatusCode);
    }

    [Fact]
    public async Task Reset_password_answers_204_for_an_unknown_login_too()
    {
        var ccx = NewClient();
        var response = await ccx.PostAsync("/reset-password", new { login = Emails.New("nobody") });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task A_password_reset_end_to_end_sets_the_password_once_and_ends_every_session()
    {
        var ccx = NewClient();
        var login = Emails.New();
        var user = await ccx.RegisterAsync(login);
        var id = user.GetProperty("id").GetString()!;
        var otherDevice = NewClient();
        await otherDevice.LoginAsync(login);
        var bearer = await _native.SignInAsync(login, CcxClient.Password);
        var stranger = NewClient();
        var strangerId = (await stranger.RegisterAsync(Emails.New())).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.NoContent, (await NewClient().PostAsync("/reset-password", new { login })).StatusCode);
        var mail = await MailDev.WaitForAsync(login, "Reset your");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/reset-password?uid=", mail.Link, StringComparison.Ordinal);
        Assert.Equal(id, MailDev.Query(mail.Link, "uid"));
        var token = MailDev.Query(mail.Link, "t");

        const string NewPassword = "a brand new passphrase";
        var anon = NewClient();
        // The token of this user with another user's id is refused, and stays usable.
        await CcxClient.AssertErrorAsync(await anon.PostAsync("/reset", new { id = strangerId, token, password = NewPassword }), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await anon.PostAsync("/reset", new { id, token = "not-a-token", password = NewPassword }), HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.NoContent, (await anon.PostAsync("/reset", new { id, token, password = NewPassword })).StatusCode);
        await CcxClient.AssertErrorAsync(await anon.PostAsync("/reset", new { id, token, password = "yet another passphrase" }), HttpStatusCode.BadRequest);

        // Every session ended: both cookies and the native bearer token.
        await CcxClient.AssertErrorAsync(await ccx.CheckAsync(), HttpStatusCode.Unauthorized);
        await CcxClient.AssertErrorAsync(await otherDevice.CheckAsync(), HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _native.MeAsync(bearer.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await stranger.CheckAsync()).StatusCode);

        await CcxClient.AssertErrorAsync(await anon.PostAsync("/login", new { login, password = CcxClient.Password }), HttpStatusCode.Unauthorized);
        await anon.LoginAsync(login, NewPassword);
    }

    [Fact]
    public async Task An_expired_reset_token_is_refused_with_400()
    {
        var ccx = NewClient();
        var login = Emails.New();
        var id = (await ccx.RegisterAsync(login)).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NoContent, (await ccx.PostAsync("/reset-password", new { login })).StatusCode);
        var token = MailDev.Query((await MailDev.WaitForAsync(login, "Reset your")).Link, "t");

        factory.Clock.Advance(TimeSpan.FromMinutes(61));
        var message = await CcxClient.AssertErrorAsync(await ccx.PostAsync("/reset", new { id, token, password = "a brand new passphrase" }), HttpStatusCode.BadRequest);
        Assert.Contains("expired", message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_registration_email_carries_id_and_token_for_confirm_which_works_once()
    {
        var ccx = NewClient();
        var login = Emails.New();
        var id = (await ccx.RegisterAsync(login)).GetProperty("id").GetString()!;
        var stranger = NewClient();
        var strangerLogin = Emails.New();
        var strangerId = (await stranger.RegisterAsync(strangerLogin)).GetProperty("id").GetString()!;

        var mail = await MailDev.WaitForAsync(login, "Confirm your email");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/confirm-email?uid=", mail.Link, StringComparison.Ordinal);
        Assert.Equal(id, MailDev.Query(mail.Link, "uid"));
        var token = MailDev.Query(mail.Link, "t");

        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/confirm", new { id = strangerId, token }), HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NoContent, (await ccx.PostAsync("/confirm", new { id, token })).StatusCode);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/confirm", new { id, token }), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/confirm", new { id, token = "wrong" }), HttpStatusCode.BadRequest);

        var tokens = await _native.SignInAsync(login);
        var me = await (await _native.MeAsync(tokens.AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(me.GetProperty("emailConfirmed").GetBoolean());
        var strangerMe = await (await _native.MeAsync((await _native.SignInAsync(strangerLogin)).AccessToken)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(strangerMe.GetProperty("emailConfirmed").GetBoolean());
    }

    [Fact]
    public async Task A_session_ended_by_an_administrator_makes_check_answer_401()
    {
        var ccx = NewClient();
        var id = (await ccx.RegisterAsync(Emails.New())).GetProperty("id").GetString()!;
        var (adminEmail, adminPassword) = await factory.CreateAdminAsync();
        var admin = await _native.SignInAsync(adminEmail, adminPassword);

        var ended = await _native.SendAsync(HttpMethod.Delete, $"/api/v1/admin/users/{id}/sessions", admin.AccessToken);
        Assert.True(ended.IsSuccessStatusCode, ended.StatusCode.ToString());
        await CcxClient.AssertErrorAsync(await ccx.CheckAsync(), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_user_registered_here_signs_in_through_the_native_api_and_the_other_way_round()
    {
        var ccx = NewClient();
        var login = Emails.New();
        await ccx.RegisterAsync(login);
        var tokens = await _native.SignInAsync(login);
        Assert.Equal(HttpStatusCode.OK, (await _native.MeAsync(tokens.AccessToken)).StatusCode);

        var nativeLogin = Emails.New();
        await _native.RegisterAsync(nativeLogin);
        var user = await NewClient().LoginAsync(nativeLogin.ToUpperInvariant());
        Assert.Equal(nativeLogin, user.GetProperty("login").GetString());
        Assert.Equal("", user.GetProperty("firstName").GetString());
    }

    [Fact]
    public async Task Unknown_routes_wrong_methods_and_unreadable_bodies_answer_with_the_error_body()
    {
        var ccx = NewClient();
        await CcxClient.AssertErrorAsync(await ccx.SendAsync(HttpMethod.Get, "/nope"), HttpStatusCode.NotFound);
        await CcxClient.AssertErrorAsync(await ccx.SendAsync(HttpMethod.Get, "/login"), HttpStatusCode.MethodNotAllowed);
        await CcxClient.AssertErrorAsync(await ccx.SendAsync(HttpMethod.Delete, "/check"), HttpStatusCode.MethodNotAllowed);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", CcxClient.Raw("{\"login\":")), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", CcxClient.Raw("{\"login\":5,\"password\":\"x\"}")), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", CcxClient.Raw("null")), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", new { login = "a@example.com" }), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/reset", new { id = "x", token = "y" }), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/confirm", new { id = "x" }), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/reset-password", new { }), HttpStatusCode.BadRequest);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/register", CcxClient.Raw("login=a", "application/x-www-form-urlencoded")), HttpStatusCode.UnsupportedMediaType);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", CcxClient.Raw("{}", "text/plain")), HttpStatusCode.UnsupportedMediaType);

        var huge = "{\"login\":\"" + new string('a', 100_000) + "\",\"password\":\"x\"}";
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", CcxClient.Raw(huge)), HttpStatusCode.RequestEntityTooLarge);
        // A chunked body has no Content-Length; the limit holds while reading.
        var chunked = CcxClient.Raw(huge);
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ccx/register") { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge))) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        await CcxClient.AssertErrorAsync(await ccx.Http.SendAsync(request), HttpStatusCode.RequestEntityTooLarge);

        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/reset-password", new { login = new string('a', 300) + "@example.com" }), HttpStatusCode.BadRequest);
    }
}
