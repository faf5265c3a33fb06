using System.Text.Json;
using System.Text.RegularExpressions;
using Gatehouse.Server.Tests.Infrastructure;

namespace Gatehouse.Server.Tests;

/// <summary>
/// Console logs: JSON lines when nobody reads them at a terminal (the default in production),
/// ASP.NET Core's plain format on request (and by default at a terminal: ./scripts/run.sh).
/// </summary>
public sealed partial class LoggingFormatTests
{
    [Fact]
    public async Task With_the_output_redirected_the_server_logs_one_json_object_a_line()
    {
        var output = await StartupOutputAsync([]);

        var entries = Lines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.All(entries, e => Assert.Equal(JsonValueKind.String, e.GetProperty("LogLevel").ValueKind));
        Assert.Contains(entries, e => e.GetProperty("Category").GetString() == "Microsoft.Hosting.Lifetime" && e.GetProperty("Message").GetString()!.StartsWith("Now listening on: ", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", entries[0].GetProperty("Timestamp").GetString());
    }

    [Fact]
    public async Task With_the_plain_format_the_server_logs_asp_net_cores_simple_console_lines()
    {
        var output = await StartupOutputAsync(new() { ["Gatehouse:Logging:Format"] = "plain" });

        Assert.Matches(SimpleListeningLine(), output);
        Assert.DoesNotContain(Lines(output), l => l.StartsWith('{'));
    }

    [Fact]
    public void A_log_format_that_is_none_of_the_three_stops_the_start_up_with_a_message_that_names_the_key()
    {
        using var factory = new GatehouseFactory(new Dictionary<string, string?> { ["Gatehouse:Logging:Format"] = "xml" });

        var error = Record.Exception(() => factory.Services);

        Assert.NotNull(error);
        Assert.Contains("Gatehouse:Logging:Format must be json, plain or auto (it is 'xml'). Set Gatehouse__Logging__Format.", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What the server printed until it said where it listens (just after it is ready).</summary>
    private static async Task<string> StartupOutputAsync(Dictionary<string, string> settings)
    {
        var data = Directory.CreateTempSubdirectory("gatehouse-logs-").FullName;
        try
        {
            settings["Gatehouse:DataDirectory"] = data;
            await using var server = await GatehouseProcess.StartAsync(settings);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (!server.Output.Contains("Now listening on: ", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline, "The server never logged where it listens:\n" + server.Output);
                await Task.Delay(50);
            }
            return server.Output;
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static List<string> Lines(string output) => output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();

    // "12:34:56 info: Microsoft.Hosting.Lifetime[14]" then the message, indented, on the next line.
    [GeneratedRegex(@"(?m)^\d\d:\d\d:\d\d info: Microsoft\.Hosting\.Lifetime\[14\]\r?\n\s+Now listening on: http://127\.0\.0\.1:\d+\r?$")]
    private static partial Regex SimpleListeningLine();
}
