using System.Net;
using Gatehouse.Server.Tests.Dialects.Keymetrics;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Scenarios;

/// <summary>
/// The scenarios through dialect keymetrics (CONTRACTS.md 000, <c>/api/oauth</c>). It has no
/// password route: a PM2.io client holds the tokens <c>/register</c> gave it, and its users sign
/// in on Gatehouse's own page, so a password sign-in is the native API's and its bearer token is
/// then used on this dialect's routes. Its reset link is Gatehouse's own page as well.
/// </summary>
public sealed class KeymetricsScenarios(GatehouseFactory factory) : SurfaceScenarios<string>(factory)
{
    private readonly KeymetricsClient _km = new(factory.CreateClient());

    protected override async Task<Account> RegisterAsync() => new((await _km.RegisterAsync()).Email, KeymetricsClient.Password);

    protected override async Task<string?> SignInAsync(Account account, string password) => (await NativeSignInAsync(account, password))?.AccessToken;

    /// <summary>
    /// The dialect's one bearer read: <c>/send_email_link</c>, which answers no user (it mails a
    /// confirmation link to the caller's address; each read costs one of the account's five an hour).
    /// </summary>
    protected override async Task<bool> ReadAsync(string session, Account account)
    {
        var response = await _km.PostAsync("/send_email_link", bearer: session);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            await KeymetricsClient.MsgAsync(response, HttpStatusCode.Unauthorized);
            return false;
        }
        Assert.Equal("Email sent", await KeymetricsClient.MsgAsync(response, HttpStatusCode.OK));
        return true;
    }

    protected override async Task SignOutAsync(string session) =>
        Assert.Equal("Token revoked", await KeymetricsClient.MsgAsync(await _km.PostAsync("/revoke", bearer: session), HttpStatusCode.OK));

    protected override async Task RequestPasswordResetAsync(Account account) =>
        Assert.Equal("Email sent", await KeymetricsClient.MsgAsync(await _km.PostAsync("/reset_password", new { email = account.Email }), HttpStatusCode.OK));

    protected override Task ResetPasswordAsync(MailDev.Message mail, string newPassword) => NativeResetPasswordAsync(mail, newPassword);

    protected override (HttpMethod Method, string Path) BodyRoute => (HttpMethod.Post, KeymetricsClient.Base + "/register");

    protected override string UnknownPath => KeymetricsClient.Base + "/no-such-route";

    protected override (HttpMethod Method, string Path) WrongMethod => (HttpMethod.Delete, KeymetricsClient.Base + "/revoke");

    protected override int BodyLimitBytes => 64 * 1024;

    protected override Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status) => KeymetricsClient.MsgAsync(response, status);
}
