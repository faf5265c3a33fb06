using System.Net;
using Gatehouse.Server.Tests.Dialects.Fittrackee;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Scenarios;

/// <summary>
/// The scenarios through dialect fittrackee (CONTRACTS.md 004, <c>/api/auth</c>). FitTrackee
/// 0.2.x has no password reset: its users reset on Gatehouse's own page (the native API), and
/// the scenario then signs in here with the new password.
/// </summary>
public sealed class FittrackeeScenarios(GatehouseFactory factory) : SurfaceScenarios<string>(factory)
{
    private readonly FittrackeeClient _api = new(factory.CreateClient());

    protected override async Task<Account> RegisterAsync() => new((await _api.NewUserAsync()).Email, FittrackeeClient.Password);

    protected override async Task<string?> SignInAsync(Account account, string password)
    {
        var answer = await _api.LoginAsync(account.Email, password);
        if (answer.Status == HttpStatusCode.NotFound)
        {
            FittrackeeClient.AssertError(answer, HttpStatusCode.NotFound, "Invalid credentials.");
            return null;
        }
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return answer.Json.GetProperty("auth_token").GetString();
    }

    protected override async Task<bool> ReadAsync(string session, Account account)
    {
        var profile = await _api.ProfileAsync(session);
        if (profile.Status == HttpStatusCode.Unauthorized)
        {
            FittrackeeClient.AssertError(profile, HttpStatusCode.Unauthorized, "Invalid token. Please log in again.");
            return false;
        }
        Assert.Equal(HttpStatusCode.OK, profile.Status);
        Assert.Equal(account.Email, profile.Json.GetProperty("data").GetProperty("email").GetString());
        return true;
    }

    protected override async Task SignOutAsync(string session)
    {
        var answer = await _api.SendAsync(HttpMethod.Get, "/logout", session);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("Successfully logged out.", answer.Message);
    }

    protected override Task RequestPasswordResetAsync(Account account) => NativeRequestPasswordResetAsync(account);

    protected override Task ResetPasswordAsync(MailDev.Message mail, string newPassword) => NativeResetPasswordAsync(mail, newPassword);

    protected override (HttpMethod Method, string Path) BodyRoute => (HttpMethod.Post, "/api/auth/login");

    protected override string UnknownPath => "/api/auth/no-such-route";

    protected override (HttpMethod Method, string Path) WrongMethod => (HttpMethod.Post, "/api/auth/logout");

    protected override int BodyLimitBytes => 64 * 1024;

    /// <summary>FitTrackee reads any body as JSON and refuses what is not: "Invalid payload.", 400 (FittrackeeHostingTests).</summary>
    protected override HttpStatusCode NotJsonStatus => HttpStatusCode.BadRequest;

    /// <summary>FitTrackee's <c>{status, message}</c> with status "error".</summary>
    protected override async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Golden.AssertMatches("fittrackee/error.json", body);
        Assert.Equal("error", System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("status").GetString());
    }
}
