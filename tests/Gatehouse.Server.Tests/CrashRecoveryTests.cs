using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task A_server_killed_right_after_a_registration_keeps_the_user_and_sends_the_email_once_after_restart()
    {
        using var database = TestDatabase.Create();
        var settings = new Dictionary<string, string>
        {
            ["Gatehouse:DataDirectory"] = database.DataDirectory,
            ["Gatehouse:Database:Provider"] = database.Provider,
            ["Gatehouse:Database:ConnectionString"] = database.ConnectionString,
            ["Gatehouse:Smtp:Host"] = TestEnvironment.SmtpHost,
            ["Gatehouse:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // The dispatcher makes its first (empty) pass at start, then sleeps past the kill.
            ["Gatehouse:Smtp:PollInterval"] = "01:00:00",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var email = Emails.New("crash");

        await using (var first = await GatehouseProcess.StartAsync(settings))
        {
            await Task.Delay(500);
            using var http = new HttpClient { BaseAddress = first.BaseAddress };
            var registered = await http.PostAsJsonAsync("/api/v1/account/register", new { email, password = NativeClient.Password });
            Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
            await first.KillAsync();
        }
        Assert.Empty(await MailDev.ForAsync(email));

        settings["Gatehouse:Smtp:PollInterval"] = "00:00:00.100";
        await using var second = await GatehouseProcess.StartAsync(settings);
        await MailDev.WaitForAsync(email, "Confirm your email");
        await Task.Delay(1000);
        Assert.Single(await MailDev.ForAsync(email));

        using var client = new HttpClient { BaseAddress = second.BaseAddress };
        var signIn = await client.PostAsJsonAsync("/api/v1/account/sign-in", new { login = email, password = NativeClient.Password });
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
    }

    [Fact]
    public async Task With_nothing_configured_the_server_is_ready_on_sqlite_and_writes_mail_to_a_local_folder()
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-defaults-").FullName;
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            await using var server = await GatehouseProcess.StartAsync(new Dictionary<string, string> { ["Gatehouse:DataDirectory"] = data });
            started.Stop();
            Assert.True(File.Exists(Path.Combine(data, "gatehouse.db")));

            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var email = Emails.New();
            Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/v1/account/register", new { email, password = NativeClient.Password })).StatusCode);
            // The pickup folder is written by a background dispatcher: wait for a complete file.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            string[] files = [];
            var eml = "";
            while (DateTime.UtcNow < deadline && !eml.Contains("</html>", StringComparison.Ordinal))
            {
                await Task.Delay(100);
                files = Directory.Exists(Path.Combine(data, "mail")) ? Directory.GetFiles(Path.Combine(data, "mail"), "*.eml") : [];
                eml = files.Length == 1 ? await File.ReadAllTextAsync(files[0]) : "";
            }
            Assert.Single(files);
            Assert.Contains(email, eml, StringComparison.Ordinal);
            Assert.Contains("confirm-email?token=", eml, StringComparison.Ordinal);
            Assert.DoesNotContain("token=", server.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}

public sealed class AdminCommandTests
{
    [Fact]
    public async Task The_create_admin_and_create_client_commands_prepare_a_fresh_database()
    {
        using var database = TestDatabase.Create();
        var settings = new Dictionary<string, string>
        {
            ["Gatehouse:DataDirectory"] = database.DataDirectory,
            ["Gatehouse:Database:Provider"] = database.Provider,
            ["Gatehouse:Database:ConnectionString"] = database.ConnectionString,
        };
        var email = Emails.New("first-admin");
        var admin = await GatehouseProcess.RunCommandAsync(settings, "create-admin", "--email", email, "--password", NativeClient.Password);
        Assert.True(admin.ExitCode == 0, admin.Output);
        var client = await GatehouseProcess.RunCommandAsync(settings, "create-client", "--client-id", "cli-app", "--name", "CLI app", "--redirect-uri", "https://app.example.com/cb");
        Assert.True(client.ExitCode == 0, client.Output);
        var secret = client.Output.Split('\n').Single(l => l.StartsWith("client_secret: ", StringComparison.Ordinal))["client_secret: ".Length..].Trim();

        var again = await GatehouseProcess.RunCommandAsync(settings, "create-admin", "--email", email, "--password", NativeClient.Password);
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Output, StringComparison.Ordinal);
        Assert.Equal(2, (await GatehouseProcess.RunCommandAsync(settings, "create-admin", "--email", email)).ExitCode);

        await using var server = await GatehouseProcess.StartAsync(settings);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var api = new NativeClient(http);
        var token = (await api.SignInAsync(email)).AccessToken;
        var read = await (await api.SendAsync(HttpMethod.Get, "/api/v1/admin/clients/cli-app", token)).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal(secret, read.GetProperty("secret").GetString());
        Assert.Equal("https://app.example.com/cb", read.GetProperty("redirectUris")[0].GetString());
    }
}

public sealed class StartupValidationTests
{
    [Theory]
    [InlineData("Gatehouse:Database:Provider", "oracle", "Gatehouse:Database:Provider must be 'sqlite' or 'postgres'")]
    [InlineData("Gatehouse:PublicBaseUrl", "not a url", "Gatehouse:PublicBaseUrl must be an absolute http(s) URL")]
    [InlineData("Gatehouse:Passwords:MinimumLength", "4", "Gatehouse:Passwords:MinimumLength")]
    [InlineData("Gatehouse:Tokens:SigningAlgorithm", "HS256", "Gatehouse:Tokens:SigningAlgorithm must be ES256 or RS256")]
    [InlineData("Gatehouse:ReverseProxy:TrustedProxies:0", "proxy.example", "Gatehouse:ReverseProxy:TrustedProxies must list IP addresses")]
    public async Task A_bad_setting_stops_the_start_up_with_a_message_that_names_the_key(string key, string value, string message)
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-bad-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => GatehouseProcess.StartAsync(new Dictionary<string, string> { ["Gatehouse:DataDirectory"] = data, [key] = value }));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
