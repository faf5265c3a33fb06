using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects;

/// <summary>One user base: an account made through one surface signs in through every other.</summary>
public sealed class CrossDialectTests(GatehouseFactory factory) : IClassFixture<GatehouseFactory>
{
    private readonly HttpClient _http = factory.CreateClient();

    private async Task AssertFittrackeeLoginAsync(string email, string password)
    {
        var login = await _http.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("auth_token").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/profile");
        request.Headers.Authorization = new("Bearer", token);
        var profile = await (await _http.SendAsync(request)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, profile.GetProperty("data").GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_user_registered_through_keymetrics_logs_in_through_fittrackee_and_the_native_api()
    {
        var email = Emails.New("km");
        var registered = await _http.PostAsJsonAsync("/api/oauth/register", new { username = "km" + Guid.NewGuid().ToString("N")[..8], email, password = NativeClient.Password, accept_terms = true });
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        await AssertFittrackeeLoginAsync(email, NativeClient.Password);
        await factory.Native().SignInAsync(email);
    }

    [Fact]
    public async Task A_user_registered_through_ccx_logs_in_through_fittrackee_and_the_native_api()
    {
        var email = Emails.New("ccx");
        var registered = await _http.PostAsJsonAsync("/ccx/register", new { login = email, password = NativeClient.Password, firstName = "Ada", lastName = "Byron" });
        Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
        await AssertFittrackeeLoginAsync(email, NativeClient.Password);
        await factory.Native().SignInAsync(email);
    }

    [Fact]
    public async Task A_user_registered_through_fittrackee_signs_in_through_ccx()
    {
        var email = Emails.New("ft");
        var username = "ft" + Guid.NewGuid().ToString("N")[..8];
        var registered = await _http.PostAsJsonAsync("/api/auth/register", new { username, email, password = NativeClient.Password, password_conf = NativeClient.Password });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var ccx = await _http.PostAsJsonAsync("/ccx/login", new { login = email, password = NativeClient.Password });
        Assert.Equal(HttpStatusCode.OK, ccx.StatusCode);
        Assert.Equal(email, (await ccx.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("login").GetString());
    }

    [Fact]
    public async Task A_password_reset_through_the_native_api_ends_sessions_of_every_dialect()
    {
        var email = Emails.New("reset");
        var api = factory.Native();
        await api.RegisterAsync(email);
        var fittrackee = (await (await _http.PostAsJsonAsync("/api/auth/login", new { email, password = NativeClient.Password })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("auth_token").GetString();

        await api.PostAsync("/api/v1/account/password/reset-request", new { login = email });
        var mail = await MailDev.WaitForAsync(email, "Reset your");
        Assert.Equal(HttpStatusCode.NoContent, (await api.PostAsync("/api/v1/account/password/reset", new { token = mail.Token, newPassword = "a completely new passphrase" })).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/profile");
        request.Headers.Authorization = new("Bearer", fittrackee);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.SendAsync(request)).StatusCode);
    }
}
