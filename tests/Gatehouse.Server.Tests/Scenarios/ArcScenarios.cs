using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Dialects.Arc;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Scenarios;

/// <summary>
/// The scenarios through dialect arc (CONTRACTS.md 001, at <c>/</c>). Accounts are made by the
/// emailed sign-up token, and a user signs in only through a client an administrator allowed
/// them on, which each registration asks of the native admin API.
/// </summary>
public sealed class ArcScenarios(GatehouseFactory factory) : SurfaceScenarios<ArcApi.Tokens>(factory), IAsyncLifetime
{
    private readonly ArcApi _arc = new(factory);
    private ArcApi.TestClient? _client;
    private string? _admin;

    private ArcApi.TestClient Client => _client ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        _client = await _arc.CreateClientAsync();
        _admin = await _arc.AdminTokenAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    protected override async Task<Account> RegisterAsync()
    {
        var email = Emails.New("arc");
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.PostAsync("/auth/sign-up/create-token", new { email })).StatusCode);
        var token = (await MailDev.WaitForAsync(email, "Finish signing up")).Token;
        var created = await _arc.PostAsync("/auth/sign-up/create-user", new { email, password = ArcApi.Password }, token);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user").GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Native.SendAsync(HttpMethod.Put, $"/api/v1/admin/users/{id}/clients/{Client.ClientId}", _admin)).StatusCode);
        return new Account(email, ArcApi.Password);
    }

    /// <summary>ARC's sign-in: a code from <c>/auth/login</c>, exchanged once at <c>/auth/token</c>.</summary>
    protected override async Task<ArcApi.Tokens?> SignInAsync(Account account, string password)
    {
        var login = await _arc.LoginRawAsync(Client, account.Email, password);
        if (login.StatusCode == HttpStatusCode.Unauthorized)
        {
            await ArcApi.AssertObjectErrorAsync(login, HttpStatusCode.Unauthorized, "Invalid Credentials");
            return null;
        }
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var code = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
        var exchanged = await _arc.PostAsync("/auth/token", new { code, clientId = Client.ClientId });
        Assert.Equal(HttpStatusCode.OK, exchanged.StatusCode);
        return await ArcApi.ReadTokensAsync(exchanged);
    }

    protected override async Task<bool> ReadAsync(ArcApi.Tokens session, Account account)
    {
        var me = await _arc.MeAsync(session.AccessToken);
        if (me.StatusCode == HttpStatusCode.Unauthorized)
        {
            await ArcApi.AssertObjectErrorAsync(me, HttpStatusCode.Unauthorized, "TokenRevoked");
            return false;
        }
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(account.Email, (await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());
        return true;
    }

    protected override async Task SignOutAsync(ArcApi.Tokens session)
    {
        var response = await _arc.PostAsync("/logout", new { refreshToken = session.RefreshToken }, session.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("success").GetBoolean());
    }

    protected override async Task RequestPasswordResetAsync(Account account) =>
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.PostAsync("/auth/forget-password", new { username = account.Email, client_id = Client.ClientId, client_secret = Client.Secret })).StatusCode);

    protected override async Task ResetPasswordAsync(MailDev.Message mail, string newPassword) =>
        Assert.Equal(HttpStatusCode.NoContent, (await _arc.SendAsync(HttpMethod.Patch, "/auth/reset-password", new { token = mail.Token, password = newPassword, client_id = Client.ClientId, client_secret = Client.Secret })).StatusCode);

    protected override (HttpMethod Method, string Path) BodyRoute => (HttpMethod.Post, "/auth/login");

    protected override string UnknownPath => "/no-such-route";

    protected override (HttpMethod Method, string Path) WrongMethod => (HttpMethod.Get, "/auth/login");

    protected override int BodyLimitBytes => 64 * 1024;

    /// <summary>LoopBack's <c>{"error": {statusCode, name, message}}</c>.</summary>
    protected override async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var error = await ArcApi.ErrorAsync(response, status);
        Assert.EndsWith("Error", error.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.True(error.TryGetProperty("message", out _));
    }
}
