using System.Net;
using System.Text;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Scenarios;

/// <summary>
/// The scenarios every surface passes, written once (STYLE.md 10; the pattern of OpenIddict's
/// integration tests, whose abstract suite each host subclasses): the test methods live here,
/// and each surface's subclass maps the steps to its own routes and checks its own wire shapes
/// with the helpers of its per-dialect tests. They run through HTTP against the real host, a
/// fresh database of the provider under test (SQLite, then PostgreSQL: <see cref="TestDatabase"/>)
/// and the real SMTP server, whose mail is read back from maildev.
/// </summary>
/// <remarks>
/// <para>Adding a surface is one subclass in this folder; the next is dialect intercode
/// (CONTRACTS.md 002): <c>public sealed class IntercodeScenarios(GatehouseFactory factory) :
/// SurfaceScenarios&lt;IntercodeTokens&gt;(factory)</c>, overriding every abstract member:</para>
/// <list type="bullet">
/// <item><see cref="RegisterAsync"/>: <c>POST /auth/sign-up</c> (201 with tokens) for a new
/// <see cref="Emails.New"/> address; return the email and password.</item>
/// <item><see cref="SignInAsync"/>: <c>POST /auth/sign-in</c> <c>{credentials: {email, password}}</c>;
/// the tokens, or null after checking the refusal (400 in <c>{statusCode, message, error}</c>).</item>
/// <item><see cref="ReadAsync"/>: <c>GET /auth/me</c>; true when it shows the account, false
/// after checking the 401.</item>
/// <item><see cref="SignOutAsync"/>: intercode has no sign-out route, so map it as the contract
/// allows, as keymetrics maps its password sign-in and fittrackee its reset to the native API;
/// not through the native sign-out, which takes only Gatehouse's own tokens, not a dialect's
/// (docs/architecture.md, "Token audiences").</item>
/// <item><see cref="RequestPasswordResetAsync"/> and <see cref="ResetPasswordAsync"/>:
/// <c>POST /auth/forgot-password</c>, then <c>POST /auth/restore-password {newPassword, token}</c>
/// with the token of the emailed link.</item>
/// <item>The bad-input set: a route that reads a JSON body (<see cref="BodyRoute"/>), an unknown
/// path under its base path, a known path with a method it does not take, its body limit, and
/// <see cref="AssertErrorAsync"/> for its error body.</item>
/// </list>
/// <para>A step a surface has no route for is mapped to what its clients really do (its users
/// reach Gatehouse's own pages, which are the native API's), and the subclass says so where it
/// does it. Behaviour only one surface has stays in that surface's own tests
/// (<c>Dialects/&lt;name&gt;/</c>).</para>
/// </remarks>
/// <typeparam name="TSession">What the surface's client keeps once signed in (tokens, a cookie).</typeparam>
public abstract class SurfaceScenarios<TSession>(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
    where TSession : class
{
    protected const string NewPassword = "a replacement passphrase";

    /// <summary>What a user types to sign in.</summary>
    public sealed record Account(string Email, string Password);

    protected GatehouseFactory Factory => factory;

    /// <summary>The native API, for the steps a surface maps to it and for administration.</summary>
    protected NativeClient Native { get; } = factory.Native();

    // ---- The steps, in the surface's own routes and shapes. ----

    /// <summary>Registers a new account (a fresh email) through the surface.</summary>
    protected abstract Task<Account> RegisterAsync();

    /// <summary>Signs in with a password: the session, or null once the refusal has been checked in the surface's shape.</summary>
    protected abstract Task<TSession?> SignInAsync(Account account, string password);

    /// <summary>An authenticated read: true when the surface accepts the session (and shows this account where it shows one), false once the refusal has been checked.</summary>
    protected abstract Task<bool> ReadAsync(TSession session, Account account);

    /// <summary>Ends the session the way the surface's client does.</summary>
    protected abstract Task SignOutAsync(TSession session);

    /// <summary>Asks for the password reset email (the scenario then reads it from maildev).</summary>
    protected abstract Task RequestPasswordResetAsync(Account account);

    /// <summary>Follows the link of the reset email the SMTP server received and sets the new password.</summary>
    protected abstract Task ResetPasswordAsync(MailDev.Message mail, string newPassword);

    // ---- The bad-input set. ----

    /// <summary>A route that reads a JSON body.</summary>
    protected abstract (HttpMethod Method, string Path) BodyRoute { get; }

    /// <summary>A path under the surface's base path that no route serves.</summary>
    protected abstract string UnknownPath { get; }

    /// <summary>A path the surface serves, with a method it does not take there.</summary>
    protected abstract (HttpMethod Method, string Path) WrongMethod { get; }

    /// <summary>The largest body the surface reads, in bytes.</summary>
    protected abstract int BodyLimitBytes { get; }

    /// <summary>The status a body that is not JSON gets.</summary>
    protected virtual HttpStatusCode NotJsonStatus => HttpStatusCode.UnsupportedMediaType;

    /// <summary>Checks that a refusal is the surface's own error body for this status.</summary>
    protected abstract Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status);

    /// <summary>Sends <see cref="BodyRoute"/> a JSON body one kilobyte over <see cref="BodyLimitBytes"/>.</summary>
    protected virtual Task<HttpResponseMessage> SendOversizedBodyAsync() =>
        SendAsync(BodyRoute, new StringContent("{\"x\":\"" + new string('x', BodyLimitBytes + 1024) + "\"}", Encoding.UTF8, "application/json"));

    // ---- The scenarios. ----

    [Fact]
    public async Task A_registered_account_signs_in_reads_itself_and_is_refused_after_signing_out()
    {
        var account = await RegisterAsync();
        var session = await SignInAsync(account, account.Password);
        Assert.NotNull(session);
        Assert.True(await ReadAsync(session, account));

        await SignOutAsync(session);

        Assert.False(await ReadAsync(session, account));
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        var account = await RegisterAsync();
        Assert.Null(await SignInAsync(account, "not the password at all"));
    }

    [Fact]
    public async Task A_reset_through_the_emailed_link_replaces_the_password_and_ends_the_session()
    {
        var account = await RegisterAsync();
        var before = await SignInAsync(account, account.Password);
        Assert.NotNull(before);

        await RequestPasswordResetAsync(account);
        await ResetPasswordAsync(await MailDev.WaitForAsync(account.Email, "Reset your"), NewPassword);

        Assert.False(await ReadAsync(before, account));
        Assert.Null(await SignInAsync(account, account.Password));
        var after = await SignInAsync(account, NewPassword);
        Assert.NotNull(after);
        Assert.True(await ReadAsync(after, account));
    }

    [Fact]
    public async Task Malformed_json_is_refused_in_the_surfaces_error_shape() =>
        await AssertRefusedAsync(await SendAsync(BodyRoute, new StringContent("{\"unterminated\": ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);

    [Fact]
    public async Task A_body_that_is_not_json_is_refused_in_the_surfaces_error_shape() =>
        await AssertRefusedAsync(await SendAsync(BodyRoute, new StringContent("hello", Encoding.UTF8, "text/plain")), NotJsonStatus);

    [Fact]
    public async Task An_oversized_body_is_refused_in_the_surfaces_error_shape() =>
        await AssertRefusedAsync(await SendOversizedBodyAsync(), HttpStatusCode.RequestEntityTooLarge);

    [Fact]
    public async Task An_unknown_route_is_answered_in_the_surfaces_error_shape() =>
        await AssertRefusedAsync(await SendAsync((HttpMethod.Get, UnknownPath), null), HttpStatusCode.NotFound);

    [Fact]
    public async Task A_wrong_method_is_answered_in_the_surfaces_error_shape() =>
        await AssertRefusedAsync(await SendAsync(WrongMethod, null), HttpStatusCode.MethodNotAllowed);

    // ---- Steps a surface maps to the native API. ----

    protected async Task<NativeClient.Tokens?> NativeSignInAsync(Account account, string password)
    {
        var response = await Native.PostAsync("/api/v1/account/sign-in", new { login = account.Email, password });
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("invalid_credentials", await NativeClient.ProblemCodeAsync(response));
            return null;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await NativeClient.ReadTokensAsync(response);
    }

    protected async Task NativeRequestPasswordResetAsync(Account account) =>
        Assert.Equal(HttpStatusCode.Accepted, (await Native.PostAsync("/api/v1/account/password/reset-request", new { login = account.Email })).StatusCode);

    /// <summary>The default reset link is Gatehouse's own page, which posts its token to the native API.</summary>
    protected async Task NativeResetPasswordAsync(MailDev.Message mail, string newPassword)
    {
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/account/reset-password?token=", mail.Link, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, (await Native.PostAsync("/api/v1/account/password/reset", new { token = mail.Token, newPassword })).StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync((HttpMethod Method, string Path) route, HttpContent? content)
    {
        using var request = new HttpRequestMessage(route.Method, route.Path) { Content = content };
        return await factory.CreateClient().SendAsync(request);
    }

    /// <summary>The exact status, never an HTML page, and the surface's own error body.</summary>
    private async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.NotEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        await AssertErrorAsync(response, status);
    }
}
