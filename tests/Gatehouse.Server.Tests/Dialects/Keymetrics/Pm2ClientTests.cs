using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests.Dialects.Keymetrics;

/// <summary>
/// One real server process for the whole class (node cannot reach the in-memory test server), on
/// a database of its own, sending mail to the test run's maildev.
/// </summary>
public sealed class Pm2ServerFixture : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Create();

    public GatehouseProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await GatehouseProcess.StartAsync(new Dictionary<string, string>
    {
        ["Gatehouse:DataDirectory"] = _database.DataDirectory,
        ["Gatehouse:Database:Provider"] = _database.Provider,
        ["Gatehouse:Database:ConnectionString"] = _database.ConnectionString,
        ["Gatehouse:Smtp:Host"] = TestEnvironment.SmtpHost,
        ["Gatehouse:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Gatehouse:Smtp:PollInterval"] = "00:00:00.100",
        ["Gatehouse:RateLimits:EmailPerMinute"] = "1000",
        ["Logging:LogLevel:Default"] = "Warning",
    });

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _database.Dispose();
    }
}

/// <summary>
/// Issue 20: PM2.io's own JavaScript client, <c>@pm2/js-api</c> 0.8.1 (installed in tests/tools by
/// scripts/test.sh), against the real server: it must work out of the box.
/// </summary>
public sealed class Pm2ClientTests(Pm2ServerFixture fixture) : IClassFixture<Pm2ServerFixture>
{
    private readonly KeymetricsClient _km = new(new HttpClient { BaseAddress = fixture.Server.BaseAddress });

    [Fact]
    public async Task The_pm2_js_api_library_registers_refreshes_with_its_own_client_id_confirms_resets_and_revokes()
    {
        var email = Emails.New("pm2");

        var report = await RunLibraryAsync(email, KeymetricsClient.NewUsername());

        Assert.False(report.TryGetProperty("error", out var error), error.ToString());
        Assert.Equal(200, Status(report, "register"));
        // The library's default public client id, which no operator configured.
        Assert.Equal("795984050", report.GetProperty("clientId").GetString());
        var retrieved = report.GetProperty("retrieveToken");
        Assert.Equal(200, retrieved.GetProperty("status").GetInt32());
        Assert.True(retrieved.GetProperty("sameRefreshToken").GetBoolean());
        Assert.Equal("Bearer", retrieved.GetProperty("tokenType").GetString());
        Assert.True(report.GetProperty("standalone").GetProperty("signedIn").GetBoolean());
        Assert.Equal(3, report.GetProperty("standalone").GetProperty("distinctAccessTokens").GetInt32());
        // Register's token, retrieveToken's and the standalone flow's all work side by side.
        Assert.Equal([200, 200, 200], Statuses(report, "beforeRevoke"));

        Assert.Equal(200, Status(report, "sendEmailLink"));
        Assert.Equal(404, Status(report, "validEmailBad"));
        Assert.Equal(301, Status(report, "validEmailGood"));
        Assert.Equal(404, Status(report, "validEmailAgain"));
        Assert.Equal(200, Status(report, "requestNewPasswordKnown"));
        Assert.Equal(404, Status(report, "requestNewPasswordUnknown"));
        await MailDev.WaitForAsync(email, "reset");

        Assert.Equal(200, Status(report, "revoke"));
        Assert.Equal("Token revoked", report.GetProperty("revoke").GetProperty("data").GetProperty("msg").GetString());
        // Every access token of the session, and its refresh token, are refused afterwards.
        Assert.Equal([401, 401, 401], Statuses(report, "afterRevoke"));
        var refused = report.GetProperty("retrieveTokenAfterRevoke");
        Assert.Equal(400, refused.GetProperty("status").GetInt32());
        Assert.Equal("invalid_grant", refused.GetProperty("data").GetProperty("error").GetString());
    }

    [Fact]
    public async Task Two_access_tokens_minted_from_one_refresh_token_both_work_until_revoke_and_both_fail_after_it()
    {
        var registered = await _km.RegisterAsync();
        var first = await AccessTokenAsync(registered.RefreshToken, "795984050");
        var second = await AccessTokenAsync(registered.RefreshToken, "some-other-public-id");

        foreach (var token in new[] { first, second, registered.AccessToken })
        {
            Assert.Equal(HttpStatusCode.OK, (await _km.PostAsync("/send_email_link", bearer: token)).StatusCode);
        }

        Assert.Equal("Token revoked", await KeymetricsClient.MsgAsync(await _km.PostAsync("/revoke", bearer: first), HttpStatusCode.OK));

        foreach (var token in new[] { first, second, registered.AccessToken })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _km.PostAsync("/send_email_link", bearer: token)).StatusCode);
        }
        Assert.Equal("invalid_grant", await KeymetricsClient.OAuthErrorAsync(await _km.RefreshAsync(registered.RefreshToken, "795984050")));
        // The session is gone, whichever of its tokens asks.
        Assert.Equal("Token not found", await KeymetricsClient.MsgAsync(await _km.PostAsync("/revoke", bearer: second), HttpStatusCode.NotFound));
    }

    private async Task<string> AccessTokenAsync(string refreshToken, string clientId)
    {
        var response = await _km.RefreshAsync(refreshToken, clientId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await KeymetricsClient.JsonAsync(response)).GetProperty("access_token").GetString()!;
    }

    private async Task<JsonElement> RunLibraryAsync(string email, string username)
    {
        var tools = Path.Combine(TestEnvironment.RepositoryRoot, "tests", "tools");
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = tools,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(tools, "pm2-client.js"));
        start.Environment["GATEHOUSE_URL"] = fixture.Server.BaseAddress.ToString();
        start.Environment["MAILDEV_URL"] = TestEnvironment.MailDevUrl.ToString();
        start.Environment["EMAIL"] = email;
        start.Environment["USERNAME_TO_REGISTER"] = username;
        using var node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var output = await stdout;
        Assert.True(node.ExitCode == 0 && output.Length > 0, $"node exited with {node.ExitCode}:\n{output}\n{await stderr}");
        return JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
    }

    private static int Status(JsonElement report, string step) => report.GetProperty(step).GetProperty("status").GetInt32();

    private static int[] Statuses(JsonElement report, string step) => report.GetProperty(step).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
