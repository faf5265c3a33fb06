using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;

namespace Gatehouse.Server.Tests.Dialects.Ccx;

/// <summary>
/// Intent methods over the ccx dialect. The cookie is handled by hand (no cookie container), so
/// a test can replay an old <c>sid</c> and read every attribute the server set.
/// </summary>
public sealed class CcxClient(HttpClient http, string basePath = "/ccx")
{
    public const string Password = "correct horse battery staple";

    public static CcxClient For(GatehouseFactory factory, string basePath = "/ccx", string baseAddress = "http://localhost") =>
        new(factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri(baseAddress) }), basePath);

    public HttpClient Http { get; } = http;

    /// <summary>The sid this client sends; set from each response's Set-Cookie.</summary>
    public string? Sid { get; set; }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body = null, string? origin = null, string? sid = null)
    {
        using var request = new HttpRequestMessage(method, basePath + path);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }
        if ((sid ?? Sid) is { } cookie)
        {
            request.Headers.Add("Cookie", $"sid={cookie}");
        }
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        var response = await Http.SendAsync(request);
        // A replayed sid (the parameter) is a probe: it does not change the client's own cookie.
        if (sid is null && SidCookie(response) is { } set)
        {
            Sid = set.Expires is { } expires && expires < DateTimeOffset.UtcNow ? null : set.Value.ToString();
        }
        return response;
    }

    public Task<HttpResponseMessage> PostAsync(string path, object? body = null, string? origin = null) => SendAsync(HttpMethod.Post, path, body, origin);

    public Task<HttpResponseMessage> CheckAsync(string? sid = null) => SendAsync(HttpMethod.Get, "/check", sid: sid);

    public async Task<JsonElement> RegisterAsync(string login, string password = Password, string firstName = "Che", string lastName = "Guevara")
    {
        var response = await PostAsync("/register", new { login, password, firstName, lastName });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> LoginAsync(string login, string password = Password)
    {
        var response = await PostAsync("/login", new { login, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static HttpContent Raw(string content, string contentType = "application/json") =>
        new StringContent(content, Encoding.UTF8, contentType);

    public static SetCookieHeaderValue? SidCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => SetCookieHeaderValue.Parse(v)).LastOrDefault(c => c.Name == "sid")
            : null;

    /// <summary>Asserts a CCX Error body: JSON, <c>code</c> equal to the status, the golden shape.</summary>
    public static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Golden.AssertMatches("ccx/error.json", body);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)status, json.GetProperty("code").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("error").GetString()));
        return json.GetProperty("error").GetString()!;
    }
}
