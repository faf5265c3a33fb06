using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Dialects.Ccx;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Scenarios;

/// <summary>The scenarios through dialect ccx (CONTRACTS.md 003, <c>/ccx</c>): a session is the <c>sid</c> cookie of one browser.</summary>
public sealed class CcxScenarios(GatehouseFactory factory) : SurfaceScenarios<CcxScenarios.Browser>(factory)
{
    /// <summary>A browser of its own (its cookie handled by hand) and the <c>sid</c> it was given at sign-in.</summary>
    public sealed record Browser(CcxClient Client, string Sid);

    protected override async Task<Account> RegisterAsync()
    {
        var email = Emails.New("ccx");
        await CcxClient.For(Factory).RegisterAsync(email);
        return new Account(email, CcxClient.Password);
    }

    protected override async Task<Browser?> SignInAsync(Account account, string password)
    {
        var client = CcxClient.For(Factory);
        var response = await client.PostAsync("/login", new { login = account.Email, password });
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            await CcxClient.AssertErrorAsync(response, HttpStatusCode.Unauthorized);
            return null;
        }
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new Browser(client, client.Sid ?? throw new InvalidOperationException("No sid cookie was set."));
    }

    /// <summary><c>GET /check</c> with the sid of the sign-in (also after the server cleared the cookie).</summary>
    protected override async Task<bool> ReadAsync(Browser session, Account account)
    {
        var check = await session.Client.CheckAsync(session.Sid);
        if (check.StatusCode == HttpStatusCode.Unauthorized)
        {
            await CcxClient.AssertErrorAsync(check, HttpStatusCode.Unauthorized);
            return false;
        }
        Assert.Equal(HttpStatusCode.OK, check.StatusCode);
        Assert.Equal(account.Email, (await check.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("login").GetString());
        return true;
    }

    protected override async Task SignOutAsync(Browser session) =>
        Assert.Equal(HttpStatusCode.NoContent, (await session.Client.PostAsync("/logout")).StatusCode);

    protected override async Task RequestPasswordResetAsync(Account account) =>
        Assert.Equal(HttpStatusCode.NoContent, (await CcxClient.For(Factory).PostAsync("/reset-password", new { login = account.Email })).StatusCode);

    /// <summary>The link is the reset page with <c>uid</c> and <c>t</c>, which the page posts to <c>/reset</c>.</summary>
    protected override async Task ResetPasswordAsync(MailDev.Message mail, string newPassword)
    {
        var reset = new { id = MailDev.Query(mail.Link, "uid"), token = MailDev.Query(mail.Link, "t"), password = newPassword };
        Assert.Equal(HttpStatusCode.NoContent, (await CcxClient.For(Factory).PostAsync("/reset", reset)).StatusCode);
    }

    protected override (HttpMethod Method, string Path) BodyRoute => (HttpMethod.Post, "/ccx/login");

    protected override string UnknownPath => "/ccx/no-such-route";

    protected override (HttpMethod Method, string Path) WrongMethod => (HttpMethod.Get, "/ccx/login");

    protected override int BodyLimitBytes => 16 * 1024;

    protected override Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status) => CcxClient.AssertErrorAsync(response, status);
}
