using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Keymetrics;

/// <summary>Intent methods over dialect "keymetrics", as a PM2.io client would call it.</summary>
public sealed class KeymetricsClient(HttpClient http)
{
    public const string Base = "/api/oauth";
    public const string ClientId = "keymetrics";
    public const string Password = NativeClient.Password;

    public HttpClient Http { get; } = http;

    public sealed record Registered(string Email, string Username, string AccessToken, string RefreshToken, string Body);

    public async Task<HttpResponseMessage> PostAsync(string path, object? body = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Base + path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return await Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PostRawAsync(string path, string content, string mediaType) =>
        await Http.PostAsync(Base + path, new StringContent(content, Encoding.UTF8, mediaType));

    public async Task<HttpResponseMessage> PostFormAsync(string path, IDictionary<string, string> form) =>
        await Http.PostAsync(Base + path, new FormUrlEncodedContent(form));

    public static object SignUp(string email, string username, string password = Password, object? acceptTerms = null, string? role = null, string? company = null) =>
        new Dictionary<string, object?>
        {
            ["username"] = username,
            ["email"] = email,
            ["password"] = password,
            ["role"] = role,
            ["company"] = company,
            ["accept_terms"] = acceptTerms ?? 1,
        };

    public async Task<Registered> RegisterAsync(string? role = null, string? company = null)
    {
        var email = Emails.New("km");
        var username = NewUsername();
        var response = await PostAsync("/register", SignUp(email, username, role: role, company: company));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var json = JsonDocument.Parse(body).RootElement;
        return new Registered(
            email,
            username,
            json.GetProperty("access_token").GetProperty("token").GetString()!,
            json.GetProperty("refresh_token").GetProperty("token").GetString()!,
            body);
    }

    public async Task<HttpResponseMessage> RefreshAsync(string refreshToken, string clientId = ClientId) =>
        await PostAsync("/token", new { client_id = clientId, refresh_token = refreshToken, grant_type = "refresh_token" });

    public static string NewUsername() => "km_" + Guid.NewGuid().ToString("N")[..20];

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>Asserts the status and that the body is the dialect's <c>{"msg"}</c>.</summary>
    public static async Task<string> MsgAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Golden.AssertMatches("keymetrics/msg.json", body);
        return JsonDocument.Parse(body).RootElement.GetProperty("msg").GetString()!;
    }

    /// <summary>Asserts a 400 OAuth error body of /token and returns its <c>error</c>.</summary>
    public static async Task<string> OAuthErrorAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {response.StatusCode}: {body}");
        Golden.AssertMatches("keymetrics/oauth-error.json", body);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        return JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
    }
}
