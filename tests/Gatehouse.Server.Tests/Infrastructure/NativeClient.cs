using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>Intent methods over the native API, for readable tests.</summary>
public sealed class NativeClient(HttpClient http)
{
    public const string Password = "correct horse battery staple";

    public HttpClient Http { get; } = http;

    public sealed record Tokens(string AccessToken, string RefreshToken, string SessionId, long ExpiresIn);

    public async Task<HttpResponseMessage> PostAsync(string path, object body, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        return await Http.SendAsync(request);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? bearer = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
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

    public async Task<JsonElement> RegisterAsync(string email, string password = Password, string? username = null)
    {
        var response = await PostAsync("/api/v1/account/register", new { email, password, username });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<Tokens> SignInAsync(string login, string password = Password)
    {
        var response = await PostAsync("/api/v1/account/sign-in", new { login, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadTokensAsync(response);
    }

    public async Task<HttpResponseMessage> RefreshAsync(string refreshToken) =>
        await PostAsync("/api/v1/account/refresh", new { refreshToken });

    public async Task<HttpResponseMessage> MeAsync(string accessToken) =>
        await SendAsync(HttpMethod.Get, "/api/v1/account/me", accessToken);

    public static async Task<Tokens> ReadTokensAsync(HttpResponseMessage response)
    {
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Tokens(json.GetProperty("accessToken").GetString()!, json.GetProperty("refreshToken").GetString()!, json.GetProperty("sessionId").GetString()!, json.GetProperty("expiresIn").GetInt64());
    }

    /// <summary>The problem's stable code, after checking that the body is RFC 9457 problem+json.</summary>
    public static async Task<string> ProblemCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)response.StatusCode, json.GetProperty("status").GetInt32());
        return json.GetProperty("code").GetString()!;
    }
}
