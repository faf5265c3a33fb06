using Gatehouse.Core.Mail;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Mail;

/// <summary>
/// Runs the outbox dispatcher in the background. Each pass has its own DI scope, so the
/// transport of one pass (with its SMTP connection) serves that batch and is closed with it.
/// </summary>
internal sealed partial class MailDispatcherService(IServiceScopeFactory scopes, IOptions<SmtpOptions> options, ILogger<MailDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                sent = await scope.ServiceProvider.GetRequiredService<MailDispatcher>().DispatchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogLoopFailed(logger, ex);
            }
            if (sent == 0)
            {
                try
                {
                    await Task.Delay(options.Value.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "The mail dispatcher failed; it will try again.")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
