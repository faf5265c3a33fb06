using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using Gatehouse.Core.Mail;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;

namespace Gatehouse.Server.Mail;

/// <summary>Sends over SMTP with the framework's client (MailKit is not available here).</summary>
internal sealed class SmtpMailTransport(IOptions<SmtpOptions> options) : IMailTransport
{
    public async Task SendAsync(MailContent content, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var client = new SmtpClient(o.Host, o.Port)
        {
            EnableSsl = o.UseTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = 30_000,
        };
        if (o.Username is not null)
        {
            client.Credentials = new NetworkCredential(o.Username, o.Password);
        }
        using var message = Build(content, o.From, TransferEncoding.QuotedPrintable);
        await client.SendMailAsync(message, cancellationToken);
    }

    internal static MailMessage Build(MailContent content, string from, TransferEncoding encoding)
    {
        var message = new MailMessage(new MailAddress(from), new MailAddress(content.Recipient))
        {
            Subject = content.Subject,
            Body = content.TextBody,
            IsBodyHtml = false,
            BodyEncoding = System.Text.Encoding.UTF8,
            SubjectEncoding = System.Text.Encoding.UTF8,
            BodyTransferEncoding = encoding,
        };
        var html = AlternateView.CreateAlternateViewFromString(content.HtmlBody, System.Text.Encoding.UTF8, "text/html");
        html.TransferEncoding = encoding;
        message.AlternateViews.Add(html);
        return message;
    }
}

/// <summary>
/// With no SMTP host configured, each message becomes an .eml file in &lt;data&gt;/mail. The file
/// path is logged, not the link: links carry live tokens and logs are not a place for secrets.
/// </summary>
internal sealed partial class PickupFolderMailTransport(IOptions<SmtpOptions> smtp, IOptions<GatehouseOptions> options, ILogger<PickupFolderMailTransport> logger) : IMailTransport
{
    public string Folder => Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "mail"));

    public async Task SendAsync(MailContent content, CancellationToken cancellationToken)
    {
        // SmtpClient writes the file in place; it is written in a private staging folder and then
        // moved, so a reader of the mail folder never sees half a message.
        var staging = Path.Combine(Folder, ".staging", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        try
        {
            using (var client = new SmtpClient
            {
                DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory,
                PickupDirectoryLocation = staging,
            })
            {
                // 8-bit bodies, so a developer can read the link in the file as it is.
                using var message = SmtpMailTransport.Build(content, smtp.Value.From, TransferEncoding.EightBit);
                await client.SendMailAsync(message, cancellationToken);
            }
            var written = Folder;
            foreach (var file in Directory.GetFiles(staging, "*.eml"))
            {
                written = Path.Combine(Folder, Path.GetFileName(file));
                File.Move(file, written);
            }
            LogWritten(logger, content.Subject, written);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "No SMTP server is configured: wrote \"{Subject}\" to {Path}.")]
    private static partial void LogWritten(ILogger logger, string subject, string path);
}

/// <summary>Runs the outbox dispatcher in the background.</summary>
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
