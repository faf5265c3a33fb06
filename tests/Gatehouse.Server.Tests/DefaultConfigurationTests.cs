using System.Net;
using System.Net.Http.Json;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>The real server process started with no settings but its data folder.</summary>
public sealed class DefaultConfigurationTests
{
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
