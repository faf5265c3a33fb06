using Gatehouse.Server.Tokens;
using Gatehouse.Storage;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Hosting;

/// <summary>
/// Runs before the server listens: creates the data directory and applies migrations, so
/// /health/ready is true as soon as the port is open. The signing key is then made ready in the
/// background; a request that needs it earlier simply waits for it.
/// </summary>
internal sealed partial class DatabaseInitializer(IServiceProvider services, IOptions<GatehouseOptions> options, ILogger<DatabaseInitializer> logger) : IHostedService
{
    private Task? _background;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(options.Value.DataDirectory);
        await services.GetRequiredService<MigrationRunner>().MigrateAsync(cancellationToken);
        _background = Task.Run(WarmUpAsync, CancellationToken.None);
    }

    /// <summary>Everything start-up prepares, awaited (for the admin commands).</summary>
    public async Task StartAndWaitAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        await _background!;
    }

    private async Task WarmUpAsync()
    {
        try
        {
            await services.GetRequiredService<SigningKeyManager>().GetAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not fatal: the first request that needs the key loads it and reports any error.
            LogWarmUpFailed(logger, ex);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Warming up storage and the signing key failed; the first request that needs them will retry.")]
    private static partial void LogWarmUpFailed(ILogger logger, Exception exception);

    public Task StopAsync(CancellationToken cancellationToken) => _background ?? Task.CompletedTask;
}
