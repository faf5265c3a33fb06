using Gatehouse.Core.Common;
using Microsoft.Extensions.Logging;

namespace Gatehouse.Core.Mail;

/// <summary>Delivers a rendered message (SMTP, or a pickup folder of .eml files).</summary>
public interface IMailTransport
{
    Task SendAsync(MailContent content, CancellationToken cancellationToken);
}

/// <summary>
/// Delivers due outbox messages. Each message is claimed (a lease, so that two dispatchers on
/// two instances never send it twice), sent, then marked sent and its body wiped. A failure is
/// retried with exponential backoff; after <see cref="MaxAttempts"/> the message is given up.
/// A crash between the SMTP server's acceptance and the mark would resend once after the lease:
/// the window is one round trip.
/// </summary>
public sealed partial class MailDispatcher(IOutboxRepository outbox, IMailTransport transport, ISecretProtector protector, TimeProvider time, ILogger<MailDispatcher> logger)
{
    public const int MaxAttempts = 10;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    /// <summary>Sends what is due; returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var sent = 0;
        var due = await outbox.ListDueAsync(time.GetUtcNow(), 20, cancellationToken);
        foreach (var message in due)
        {
            var now = time.GetUtcNow();
            if (!await outbox.TryClaimAsync(message.Id, message.Attempts, now + Lease, cancellationToken))
            {
                continue;
            }
            var attempt = message.Attempts + 1;
            try
            {
                var content = MailOutbox.Open(message, protector);
                await transport.SendAsync(content, cancellationToken);
                await outbox.MarkSentAsync(message.Id, time.GetUtcNow(), cancellationToken);
                LogSent(logger, message.Id, message.Intent, attempt);
                sent++;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var giveUp = attempt >= MaxAttempts;
                var backoff = TimeSpan.FromSeconds(Math.Min(3600, 5 * Math.Pow(2, attempt - 1)));
                await outbox.MarkFailedAttemptAsync(message.Id, time.GetUtcNow() + backoff, giveUp, ex.GetType().Name + ": " + ex.Message, time.GetUtcNow(), cancellationToken);
                LogFailed(logger, message.Id, message.Intent, attempt, giveUp, ex.Message);
            }
        }
        return sent;
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Sent outbox message {MessageId} ({Intent}) on attempt {Attempt}.")]
    private static partial void LogSent(ILogger logger, long messageId, string intent, int attempt);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning, Message = "Could not send outbox message {MessageId} ({Intent}) on attempt {Attempt}; gave up: {GaveUp}. {Error}")]
    private static partial void LogFailed(ILogger logger, long messageId, string intent, int attempt, bool gaveUp, string error);
}
