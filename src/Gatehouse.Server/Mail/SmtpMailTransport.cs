using Gatehouse.Core.Mail;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Mail;

/// <summary>
/// Sends over SMTP with MailKit. One instance lives for one dispatch batch (a DI scope of
/// MailDispatcherService), so the messages of one poll share one connection, closed with QUIT
/// when the scope ends. A failed message drops the connection (the session's state is then
/// unknown) and the next one opens a new one; if connecting or signing in fails, the rest of
/// the batch fails at once with the same reason instead of waiting out a timeout each: the
/// outbox retries them all with backoff.
/// </summary>
internal sealed partial class SmtpMailTransport(IOptions<SmtpOptions> options, TimeProvider time, ILogger<SmtpMailTransport> logger) : IMailTransport, IAsyncDisposable
{
    /// <summary>
    /// A whole delivery (connection included) ends well inside the dispatcher's two-minute lease
    /// on the message, which another instance may claim once it runs out.
    /// </summary>
    private static readonly TimeSpan DeliveryLimit = TimeSpan.FromSeconds(90);

    private SmtpClient? _client;
    private Exception? _unreachable;

    public async Task SendAsync(MailContent content, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (_unreachable is not null)
        {
            throw new SmtpUnavailableException($"Not tried: {_unreachable.Message} (earlier in this batch).", _unreachable);
        }
        using var message = MailMessageBuilder.Build(content, o.From, time.GetUtcNow());
        // Network deadlines are wall-clock time, like MailKit's own timeout, not the domain clock.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(DeliveryLimit);
        try
        {
            _client ??= await ConnectAsync(o, limit.Token);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (ex is OperationCanceledException)
            {
                throw _unreachable = TooSlow(o);
            }
            _unreachable = ex;
            throw;
        }
        try
        {
            await _client.SendAsync(message, limit.Token);
        }
        catch (Exception ex)
        {
            await CloseAsync(quit: false);
            if (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw TooSlow(o);
            }
            throw;
        }
    }

    public ValueTask DisposeAsync() => new(CloseAsync(quit: true));

    private async Task<SmtpClient> ConnectAsync(SmtpOptions o, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)o.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(o.Host!, o.EffectivePort, o.EffectiveSecurity switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.Tls => SecureSocketOptions.SslOnConnect,
                SmtpSecurity.Auto => SecureSocketOptions.Auto,
                _ => SecureSocketOptions.None,
            }, cancellationToken);
            if (o.Username is not null)
            {
                await client.AuthenticateAsync(o.Username, o.Password ?? "", cancellationToken);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }
        LogConnected(logger, o.Host!, o.EffectivePort, client.IsSecure, client.IsAuthenticated);
        return client;
    }

    /// <summary>Ends the connection: with QUIT after a batch, without after a failure (its state is unknown).</summary>
    private async Task CloseAsync(bool quit)
    {
        var client = _client;
        _client = null;
        if (client is null)
        {
            return;
        }
        try
        {
            if (client.IsConnected)
            {
                using var limit = new CancellationTokenSource(options.Value.Timeout);
                await client.DisconnectAsync(quit, limit.Token);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Every message it carried is already accepted or already counted as failed.
            LogCloseFailed(logger, ex.Message);
        }
        finally
        {
            client.Dispose();
        }
    }

    private static TimeoutException TooSlow(SmtpOptions o) =>
        new($"Sending through {o.Host}:{o.EffectivePort} took longer than {DeliveryLimit.TotalSeconds:0} s.");

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Connected to SMTP server {Host}:{Port} (TLS: {Secure}, signed in: {Authenticated}).")]
    private static partial void LogConnected(ILogger logger, string host, int port, bool secure, bool authenticated);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Debug, Message = "Closing the SMTP connection failed: {Error}")]
    private static partial void LogCloseFailed(ILogger logger, string error);
}

/// <summary>The SMTP server could not be reached or refused to sign in, earlier in the same batch.</summary>
internal sealed class SmtpUnavailableException(string message, Exception inner) : Exception(message, inner);
