using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gatehouse.Core.Admin;
using Gatehouse.Core.Clients;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Dialects.Arc;

/// <summary>Intent methods over dialect "arc", for readable tests.</summary>
public sealed class ArcApi(GatehouseFactory factory)
{
    public const string Password = NativeClient.Password;

    public HttpClient Http { get; } = factory.CreateClient();

    public NativeClient Native { get; } = factory.Native();

    public GatehouseFactory Factory => factory;

    public sealed record TestClient(string ClientId, string Secret, long Number);

    public sealed record Tokens(string AccessToken, string RefreshToken, long Expires);

    /// <summary>A client created through the core, as an administrator would.</summary>
    public async Task<TestClient> CreateClientAsync(int? authCodeSeconds = null, int? accessSeconds = null, string? id = null)
    {
        var clientId = id ?? "arc-" + Guid.NewGuid().ToString("N")[..12];
        var secret = "client secret " + Guid.NewGuid().ToString("N");
        await using var scope = factory.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<AdminService>().CreateClientAsync(
            new ClientChange { ClientId = clientId, Secret = secret, CodeSecret = "code signing secret 1234", RedirectUris = ["https://app.example.com/cb"], AuthorizationCodeLifetimeSeconds = authCodeSeconds, AccessTokenLifetimeSeconds = accessSeconds },
            "test", RequestContext.Internal);
        Assert.True(created.Succeeded, created.Error?.ToString());
        return new TestClient(clientId, secret, created.Value.Number);
    }

    /// <summary>Registers a user through the native API and allows them on the client; returns the email.</summary>
    public async Task<string> UserOnClientAsync(TestClient client, string? username = null)
    {
        var email = Emails.New();
        var registered = await Native.RegisterAsync(email, Password, username);
        await AllowAsync(registered.GetProperty("id").GetString()!, client);
        return email;
    }

    public async Task AllowAsync(string userId, TestClient client)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var allowed = await scope.ServiceProvider.GetRequiredService<ClientSignInService>().AllowAsync(userId, client.ClientId, RequestContext.Internal);
        Assert.True(allowed.Succeeded, allowed.Error?.ToString());
    }

    public async Task<string> AdminTokenAsync()
    {
        var (email, password) = await factory.CreateAdminAsync();
        return (await Native.SignInAsync(email, password)).AccessToken;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? bearer = null, string? deviceId = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        if (deviceId is not null)
        {
            request.Headers.Add("device_id", deviceId);
        }
        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, object? body, string? bearer = null, string? deviceId = null) =>
        SendAsync(HttpMethod.Post, path, body, bearer, deviceId);

    public Task<HttpResponseMessage> LoginRawAsync(TestClient client, string username, string password = Password, string? secret = null) =>
        PostAsync("/auth/login", new { client_id = client.ClientId, client_secret = secret ?? client.Secret, username, password });

    public async Task<string> LoginAsync(TestClient client, string username, string password = Password)
    {
        var response = await LoginRawAsync(client, username, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString()!;
    }

    public async Task<Tokens> LoginTokenAsync(TestClient client, string username, string password = Password, string? deviceId = null)
    {
        var response = await PostAsync("/auth/login-token", new { client_id = client.ClientId, client_secret = client.Secret, username, password }, deviceId: deviceId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ReadTokensAsync(response);
    }

    public Task<HttpResponseMessage> RefreshAsync(string refreshToken, string? accessToken) =>
        PostAsync("/auth/token-refresh", new { refreshToken }, accessToken);

    public Task<HttpResponseMessage> MeAsync(string? accessToken) => SendAsync(HttpMethod.Get, "/auth/me", bearer: accessToken);

    public static async Task<Tokens> ReadTokensAsync(HttpResponseMessage response)
    {
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Tokens(json.GetProperty("accessToken").GetString()!, json.GetProperty("refreshToken").GetString()!, json.GetProperty("expires").GetInt64());
    }

    /// <summary>Checks a LoopBack error: status, name, content type and a plain-string message.</summary>
    public static async Task<JsonElement> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var error = await ErrorAsync(response, status);
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal(message, error.GetProperty("message").GetString());
        return error;
    }

    /// <summary>The same for an object message <c>{"message": "…"}</c>.</summary>
    public static async Task AssertObjectErrorAsync(HttpResponseMessage response, HttpStatusCode status, string message)
    {
        var error = await ErrorAsync(response, status);
        Assert.Equal(JsonValueKind.Object, error.GetProperty("message").ValueKind);
        Assert.Equal(message, error.GetProperty("message").GetProperty("message").GetString());
    }

    /// <summary>A LoopBack error body of this status (its content type and <c>error.statusCode</c> checked): the <c>error</c> object.</summary>
    public static async Task<JsonElement> ErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {status}, got {response.StatusCode}: {text}");
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
        Assert.Equal((int)status, error.GetProperty("statusCode").GetInt32());
        return error.Clone();
    }

    /// <summary>The <c>sid</c> claim of an access token (the session it belongs to).</summary>
    public static string SessionIdOf(string accessToken)
    {
        var payload = accessToken.Split('.')[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.GetProperty("sid").GetString()!;
    }
}
