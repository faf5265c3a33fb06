using System.Diagnostics;
using System.Net.Sockets;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>Gatehouse as a real OS process (for crash tests): the built executable, on a free port.</summary>
public sealed class GatehouseProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _output = new();

    private GatehouseProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

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

    private static ProcessStartInfo StartInfo(IDictionary<string, string> settings, IEnumerable<string> arguments)
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var folder = Path.Combine(TestEnvironment.RepositoryRoot, "src", "Gatehouse.Server", "bin", configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(folder, "Gatehouse.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        return start;
    }

    /// <summary>Runs an admin command of the executable to its end.</summary>
    public static async Task<(int ExitCode, string Output)> RunCommandAsync(IDictionary<string, string> settings, params string[] arguments)
    {
        var (exitCode, output) = await RunToExitAsync(StartInfo(settings, arguments), TimeSpan.FromSeconds(60));
        return (exitCode ?? throw new TimeoutException("The command did not finish within 60 s:\n" + output), output);
    }

    /// <summary>
    /// Starts the server on a free port and waits for it to exit, as it must when it refuses its
    /// settings. A server still running at the deadline is killed and answers a null exit code.
    /// </summary>
    public static Task<(int? ExitCode, string Output)> StartExpectingExitAsync(IDictionary<string, string> settings, TimeSpan timeout) =>
        RunToExitAsync(StartInfo(settings, ["--urls", $"http://127.0.0.1:{FreePort()}"]), timeout);

    private static async Task<(int? ExitCode, string Output)> RunToExitAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Gatehouse.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        int? exitCode;
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
            exitCode = process.ExitCode;
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            exitCode = null;
        }
        return (exitCode, await stdout + await stderr);
    }

    public static async Task<GatehouseProcess> StartAsync(IDictionary<string, string> settings)
    {
        var port = FreePort();
        var start = StartInfo(settings, ["--urls", $"http://127.0.0.1:{port}"]);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Gatehouse.");
        var result = new GatehouseProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => result.Append(e.Data);
        process.ErrorDataReceived += (_, e) => result.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await result.WaitUntilReadyAsync();
        return result;
    }

    /// <summary>SIGKILL: no shutdown hooks run.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                // Waiting for the exit also drains the redirected output.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException("Gatehouse exited during start-up:\n" + Output);
            }
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode)
                {
                    return;
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
        throw new TimeoutException("Gatehouse did not become ready:\n" + Output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
