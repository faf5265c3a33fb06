using System.Diagnostics;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>
/// A maildev of a test's own (tests/tools, installed by scripts/test.sh), for SMTP settings the
/// shared one does not have: implicit TLS, required credentials. Listens on 127.0.0.1 only.
/// </summary>
public sealed class MailDevServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _mailDirectory;
    private readonly System.Text.StringBuilder _output = new();

    private MailDevServer(Process process, int smtpPort, int webPort, string mailDirectory)
    {
        _process = process;
        _mailDirectory = mailDirectory;
        SmtpPort = smtpPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public int SmtpPort { get; }

    /// <summary>Its REST API, for <see cref="MailDev.WaitForAsync(HttpClient, string, string, int, TimeSpan?)"/>.</summary>
    public HttpClient Http { get; }

    /// <param name="arguments">maildev options beyond the ports, e.g. --incoming-secure.</param>
    public static async Task<MailDevServer> StartAsync(params string[] arguments)
    {
        var smtpPort = GatehouseProcess.FreePort();
        var webPort = GatehouseProcess.FreePort();
        var mail = Directory.CreateTempSubdirectory("gatehouse-maildev-").FullName;
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(TestEnvironment.RepositoryRoot, "tests", "tools", "maildev-runner.js"), "--smtp", $"{smtpPort}", "--web", $"{webPort}", "--ip", "127.0.0.1", "--mail-directory", mail }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start maildev (node).");
        var server = new MailDevServer(process, smtpPort, webPort, mail);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException("maildev did not start:\n" + server.Output);
            }
            try
            {
                if ((await server.Http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Http.Dispose();
        try
        {
            Directory.Delete(_mailDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
