using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gatehouse.Core.Accounts;
using Gatehouse.Core.Common;
using Gatehouse.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gatehouse.Server.Tests.Dialects.Fittrackee;

/// <summary>Intent methods over the FitTrackee dialect, as its web client calls it.</summary>
public sealed class FittrackeeClient(HttpClient http, string basePath = "/api/auth")
{
    public const string Password = "fittrackee passphrase";

    public HttpClient Http { get; } = http;

    public sealed record Answer(HttpStatusCode Status, string Body, HttpResponseMessage Response)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        public string Message => Json.GetProperty("message").GetString()!;

        public string State => Json.GetProperty("status").GetString()!;
    }

    public static string NewUsername() => "u" + Guid.NewGuid().ToString("N")[..10];

    public Task<Answer> PostJsonAsync(string path, string json, string? token = null) =>
        SendAsync(HttpMethod.Post, path, token, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<Answer> SendAsync(HttpMethod method, string path, string? token = null, HttpContent? content = null, bool chunked = false)
    {
        using var request = new HttpRequestMessage(method, basePath + path) { Content = content };
        if (chunked)
        {
            request.Headers.TransferEncodingChunked = true;
        }
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        var response = await Http.SendAsync(request);
        return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public Task<Answer> RegisterAsync(string username, string email, string password = Password, string? passwordConf = null) =>
        PostJsonAsync("/register", JsonSerializer.Serialize(new { username, email, password, password_conf = passwordConf ?? password }));

    public Task<Answer> LoginAsync(string email, string password = Password) =>
        PostJsonAsync("/login", JsonSerializer.Serialize(new { email, password }));

    /// <summary>Registers a new user and returns its email and auth token.</summary>
    public async Task<(string Email, string Token)> NewUserAsync()
    {
        var email = Emails.New("ft");
        var answer = await RegisterAsync(NewUsername(), email);
        Assert.Equal(HttpStatusCode.Created, answer.Status);
        return (email, answer.Json.GetProperty("auth_token").GetString()!);
    }

    public Task<Answer> ProfileAsync(string? token) => SendAsync(HttpMethod.Get, "/profile", token);

    public Task<Answer> UploadAsync(string token, byte[] content, string fileName, string field = "file")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, field, fileName);
        return SendAsync(HttpMethod.Post, "/picture", token, form);
    }

    public static void AssertError(Answer answer, HttpStatusCode status, string message, string state = "error")
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal("application/json", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(state, answer.State);
        Assert.Equal(message, answer.Message);
    }
}

/// <summary>Minimal real image files, and things that only look like them.</summary>
public static class Images
{
    /// <summary>A 1x1 PNG.</summary>
    public static byte[] Png { get; } = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>A 1x1 baseline JPEG.</summary>
    public static byte[] Jpeg { get; } = Convert.FromBase64String("/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=");

    /// <summary>A 1x1 GIF89a.</summary>
    public static byte[] Gif { get; } = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static byte[] Text { get; } = Encoding.UTF8.GetBytes("<html><script>alert(1)</script></html>");

    /// <summary>A PNG padded (after its IEND, which viewers ignore) to exactly <paramref name="size"/> bytes.</summary>
    public static byte[] PngOfSize(int size)
    {
        var bytes = new byte[size];
        Png.CopyTo(bytes, 0);
        return bytes;
    }

    /// <summary>The picture id stored on the user with this FitTrackee (numeric) id.</summary>
    public static async Task<string?> PictureIdAsync(GatehouseFactory factory, long number)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<IUserRepository>().FindByNumberAsync(number);
        return user?.PictureId;
    }

    public static string PathOf(GatehouseFactory factory, string pictureId) => Path.Combine(factory.Database.DataDirectory, "pictures", pictureId);
}
