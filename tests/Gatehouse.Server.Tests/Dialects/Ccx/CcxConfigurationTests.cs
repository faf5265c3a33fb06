using System.Net;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Ccx;

/// <summary>The ccx settings: base path, Secure cookies behind a proxy, link pages, allowed origins, validation.</summary>
public sealed class CcxConfigurationTests
{
    [Fact]
    public async Task A_moved_dialect_with_secure_cookies_always_and_custom_pages_uses_them_all()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?>
        {
            ["Gatehouse:Dialects:ccx:BasePath"] = "/auth-api",
            // Arc, mounted at "/", would answer the freed paths (CONTRACTS.md); off here so the native answer shows.
            ["Gatehouse:Dialects:arc:Enabled"] = "false",
            ["Gatehouse:Dialects:ccx:SecureCookies"] = "always",
            ["Gatehouse:Dialects:ccx:ResetPasswordPage"] = "https://app.example.com/account/reset",
            ["Gatehouse:Dialects:ccx:ConfirmEmailPage"] = "{base}/welcome?lang=en",
            ["Gatehouse:Dialects:ccx:AllowedOrigins:0"] = "https://app.example.com",
        });
        var ccx = CcxClient.For(factory, "/auth-api");
        var login = Emails.New();

        var registered = await ccx.PostAsync("/register", new { login, password = CcxClient.Password, firstName = "A", lastName = "B" }, origin: "https://app.example.com");
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        var cookie = CcxClient.SidCookie(registered)!;
        Assert.True(cookie.Secure);
        Assert.Equal("/auth-api", cookie.Path.ToString());
        Assert.Equal(HttpStatusCode.OK, (await ccx.CheckAsync()).StatusCode);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/logout", origin: "https://other.example.com"), HttpStatusCode.Forbidden);

        var confirm = await MailDev.WaitForAsync(login, "Confirm your email");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/welcome?lang=en&uid=", confirm.Link, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await ccx.PostAsync("/reset-password", new { login })).StatusCode);
        var reset = await MailDev.WaitForAsync(login, "Reset your");
        Assert.StartsWith("https://app.example.com/account/reset?uid=", reset.Link, StringComparison.Ordinal);

        // The old base path is no longer the dialect's.
        Assert.Equal("application/problem+json", (await factory.CreateClient().GetAsync("/ccx/check")).Content.Headers.ContentType?.MediaType);
        await CcxClient.AssertErrorAsync(await ccx.SendAsync(HttpMethod.Get, "/nope"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_rate_limited_login_answers_429_with_the_error_body()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:RateLimits:SignInPerMinute"] = "1" });
        var ccx = CcxClient.For(factory);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", new { login = Emails.New(), password = CcxClient.Password }), HttpStatusCode.Unauthorized);
        await CcxClient.AssertErrorAsync(await ccx.PostAsync("/login", new { login = Emails.New(), password = CcxClient.Password }), HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public void A_bad_setting_stops_the_start_up_with_a_message_naming_the_key()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:ccx:SecureCookies"] = "sometimes" });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Gatehouse:Dialects:ccx:SecureCookies must be auto, always or never", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_switched_off_dialect_is_not_mounted()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:ccx:Enabled"] = "false", ["Gatehouse:Dialects:arc:Enabled"] = "false" });
        var response = await factory.CreateClient().GetAsync("/ccx/check");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
