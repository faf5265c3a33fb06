using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Gatehouse.Server.Tests.Dialects.Keymetrics;

/// <summary>
/// Dialect "keymetrics" with the clock moved or settings changed: each test has its own host, so
/// moving time or switching registration off touches no other test.
/// </summary>
public sealed class KeymetricsLifetimeAndSettingsTests
{
    private static KeymetricsClient Client(GatehouseFactory factory) =>
        new(factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false }));

    [Fact]
    public async Task A_non_rotating_refresh_token_still_ends_with_the_absolute_session_lifetime()
    {
        using var factory = new GatehouseFactory();
        var km = Client(factory);
        var registered = await km.RegisterAsync();

        // Using it does not extend it: still the same token on day 29 ...
        factory.Clock.Advance(TimeSpan.FromDays(29));
        var refreshed = await km.RefreshAsync(registered.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var access = (await KeymetricsClient.JsonAsync(refreshed)).GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await km.PostAsync("/send_email_link", bearer: access)).StatusCode);

        // ... and refused once the 30-day session lifetime has passed.
        factory.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await km.RefreshAsync(registered.RefreshToken)));
    }

    [Fact]
    public async Task An_access_token_expires_after_its_lifetime_and_then_gets_401()
    {
        using var factory = new GatehouseFactory();
        var km = Client(factory);
        var registered = await km.RegisterAsync();
        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        await KeymetricsClient.MsgAsync(await km.PostAsync("/send_email_link", bearer: registered.AccessToken), HttpStatusCode.Unauthorized);
        await KeymetricsClient.MsgAsync(await km.PostAsync("/revoke", bearer: registered.AccessToken), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_email_confirmation_link_expires_after_24_hours()
    {
        using var factory = new GatehouseFactory();
        var km = Client(factory);
        var registered = await km.RegisterAsync();
        var mail = await MailDev.WaitForAsync(registered.Email, "Confirm your email");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/api/oauth/valid_email/", mail.Link, StringComparison.Ordinal);

        factory.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await KeymetricsClient.MsgAsync(await km.Http.GetAsync(new Uri(mail.Link).PathAndQuery), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Register_answers_500_with_a_msg_when_registration_is_switched_off()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Registration:Enabled"] = "false" });
        var km = Client(factory);
        var response = await km.PostAsync("/register", KeymetricsClient.SignUp(Emails.New("km"), KeymetricsClient.NewUsername()));
        Assert.Equal("Registration is disabled", await KeymetricsClient.MsgAsync(response, HttpStatusCode.InternalServerError));
    }

    [Fact]
    public async Task The_dialect_moves_by_configuration_and_its_links_and_redirect_follow()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?>
        {
            ["Gatehouse:Dialects:keymetrics:BasePath"] = "/pm2/oauth",
            // Arc, mounted at "/", would answer the freed paths (CONTRACTS.md); off here so the native answer shows.
            ["Gatehouse:Dialects:arc:Enabled"] = "false",
            ["Gatehouse:Dialects:keymetrics:EmailConfirmedUrl"] = "{base}/welcome?confirmed=1",
        });
        var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var email = Emails.New("km");
        var registered = await http.PostAsJsonAsync("/pm2/oauth/register", KeymetricsClient.SignUp(email, KeymetricsClient.NewUsername()));
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);

        var mail = await MailDev.WaitForAsync(email, "Confirm your email");
        Assert.StartsWith(GatehouseFactory.PublicBaseUrl + "/pm2/oauth/valid_email/", mail.Link, StringComparison.Ordinal);
        var confirmed = await http.GetAsync(new Uri(mail.Link).PathAndQuery);
        Assert.Equal(HttpStatusCode.MovedPermanently, confirmed.StatusCode);
        Assert.Equal(GatehouseFactory.PublicBaseUrl + "/welcome?confirmed=1", confirmed.Headers.Location?.ToString());

        // The old base path is no longer the dialect's.
        var old = await http.PostAsJsonAsync("/api/oauth/register", new { });
        Assert.Equal("application/problem+json", old.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_switched_off_dialect_is_not_served()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:keymetrics:Enabled"] = "false", ["Gatehouse:Dialects:arc:Enabled"] = "false" });
        var response = await factory.CreateClient().PostAsJsonAsync("/api/oauth/register", new { });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public void A_bad_email_confirmed_url_stops_the_start_up_with_a_message_naming_the_key()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Dialects:keymetrics:EmailConfirmedUrl"] = "javascript:alert(1)" });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Gatehouse:Dialects:keymetrics:EmailConfirmedUrl", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dialect_client_is_kept_non_rotating_even_after_an_admin_turns_rotation_on()
    {
        using var factory = new GatehouseFactory();
        var km = Client(factory);
        var native = factory.Native();
        await km.RegisterAsync();
        var (adminEmail, adminPassword) = await factory.CreateAdminAsync();
        var admin = (await native.SignInAsync(adminEmail, adminPassword)).AccessToken;

        var client = await (await native.SendAsync(HttpMethod.Get, "/api/v1/admin/clients/keymetrics", admin)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(client.GetProperty("rotateRefreshTokens").GetBoolean());

        Assert.Equal(HttpStatusCode.OK, (await native.SendAsync(HttpMethod.Patch, "/api/v1/admin/clients/keymetrics", admin, new { rotateRefreshTokens = true })).StatusCode);
        var registered = await km.RegisterAsync();
        var refreshed = await KeymetricsClient.JsonAsync(await km.RefreshAsync(registered.RefreshToken));
        Assert.Equal(registered.RefreshToken, refreshed.GetProperty("refresh_token").GetString());
    }

    [Fact]
    public async Task A_rate_limited_request_is_refused_in_the_dialect_shape()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:RateLimits:EmailPerMinute"] = "1" });
        var km = Client(factory);
        await KeymetricsClient.MsgAsync(await km.PostAsync("/reset_password", new { email = Emails.New("nobody") }), HttpStatusCode.NotFound);
        var limited = await km.PostAsync("/reset_password", new { email = Emails.New("nobody") });
        await KeymetricsClient.MsgAsync(limited, HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
