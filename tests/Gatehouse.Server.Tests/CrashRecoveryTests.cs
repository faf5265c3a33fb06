using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>The real server process killed with SIGKILL: nothing committed is lost, no mail is sent twice.</summary>
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
}
