using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Scenarios;

/// <summary>The scenarios through the native API (<c>/api/v1</c>): problem details with stable codes.</summary>
public sealed class NativeScenarios(GatehouseFactory factory) : SurfaceScenarios<NativeClient.Tokens>(factory)
{
    protected override async Task<Account> RegisterAsync()
    {
        var email = Emails.New("native");
        await Native.RegisterAsync(email);
        return new Account(email, NativeClient.Password);
    }

    protected override Task<NativeClient.Tokens?> SignInAsync(Account account, string password) => NativeSignInAsync(account, password);

    protected override async Task<bool> ReadAsync(NativeClient.Tokens session, Account account)
    {
        var me = await Native.MeAsync(session.AccessToken);
        if (me.StatusCode == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("token_revoked", await NativeClient.ProblemCodeAsync(me));
            return false;
        }
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(account.Email, (await me.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("email").GetString());
        return true;
    }

    protected override async Task SignOutAsync(NativeClient.Tokens session) =>
        Assert.Equal(HttpStatusCode.NoContent, (await Native.SendAsync(HttpMethod.Post, "/api/v1/account/sign-out", session.AccessToken)).StatusCode);

    protected override Task RequestPasswordResetAsync(Account account) => NativeRequestPasswordResetAsync(account);

    protected override Task ResetPasswordAsync(MailDev.Message mail, string newPassword) => NativeResetPasswordAsync(mail, newPassword);

    protected override (HttpMethod Method, string Path) BodyRoute => (HttpMethod.Post, "/api/v1/account/sign-in");

    protected override string UnknownPath => "/api/v1/no-such-route";

    protected override (HttpMethod Method, string Path) WrongMethod => (HttpMethod.Get, "/api/v1/account/sign-in");

    /// <summary>Kestrel's default MaxRequestBodySize; the native API sets none of its own.</summary>
    protected override int BodyLimitBytes => 30_000_000;

    protected override async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status) =>
        Assert.Equal(status switch
        {
            HttpStatusCode.BadRequest => "invalid_request",
            HttpStatusCode.NotFound => "not_found",
            HttpStatusCode.MethodNotAllowed => "method_not_allowed",
            HttpStatusCode.RequestEntityTooLarge => "payload_too_large",
            HttpStatusCode.UnsupportedMediaType => "unsupported_media_type",
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
        }, await NativeClient.ProblemCodeAsync(response));

    /// <summary>
    /// The in-memory test server enforces no body limit, so this one request goes to the real
    /// server process (Kestrel), on a database of its own. With <c>Expect: 100-continue</c> only
    /// the headers travel: Kestrel refuses the announced length before the body is sent.
    /// </summary>
    protected override async Task<HttpResponseMessage> SendOversizedBodyAsync()
    {
        using var database = TestDatabase.Create();
        await using var server = await GatehouseProcess.StartAsync(new Dictionary<string, string>
        {
            ["Gatehouse:DataDirectory"] = database.DataDirectory,
            ["Gatehouse:Database:Provider"] = database.Provider,
            ["Gatehouse:Database:ConnectionString"] = database.ConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        using var http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) }) { BaseAddress = server.BaseAddress };
        using var request = new HttpRequestMessage(BodyRoute.Method, BodyRoute.Path) { Content = new SpacesContent(BodyLimitBytes + 1L) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.ExpectContinue = true;
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>A body of spaces of a given length, written only if the server asks for it.</summary>
    private sealed class SpacesContent(long length) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var block = new byte[64 * 1024];
            Array.Fill(block, (byte)' ');
            for (var left = length; left > 0; left -= block.Length)
            {
                await stream.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, left)));
            }
        }

        protected override bool TryComputeLength(out long computed)
        {
            computed = length;
            return true;
        }
    }
}
