using Gatehouse.Core.Mail;
using Gatehouse.Server.Hosting;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Gatehouse.Server.Mail;

/// <summary>
/// With no SMTP host configured, each message becomes an .eml file in &lt;data&gt;/mail. The file
/// path is logged, not the link: links carry live tokens and logs are not a place for secrets.
/// </summary>
internal sealed partial class PickupFolderMailTransport(IOptions<SmtpOptions> smtp, IOptions<GatehouseOptions> options, TimeProvider time, ILogger<PickupFolderMailTransport> logger) : IMailTransport
{
    // CRLF line ends, as a message on the wire has them (mail readers expect them in .eml files).
    private static readonly FormatOptions EmlFormat = CreateFormat();

    public string Folder => Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "mail"));

    public async Task SendAsync(MailContent content, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // 8-bit bodies, so a developer can read the link in the file as it is.
        using var message = MailMessageBuilder.Build(content, smtp.Value.From, now, eightBit: true);
        var name = $"{now:yyyyMMdd'T'HHmmss}-{Guid.NewGuid():N}.eml";
        // Written in a staging folder beside the mail folder, then moved in (one rename on the same
        // file system), so a reader of the mail folder never sees half a message.
        var staging = Path.Combine(Folder, ".staging");
        Directory.CreateDirectory(staging);
        var partial = Path.Combine(staging, name);
        var written = Path.Combine(Folder, name);
        try
        {
            await using (var file = new FileStream(partial, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true))
            {
                await message.WriteToAsync(EmlFormat, file, cancellationToken);
            }
            File.Move(partial, written);
        }
        finally
        {
            File.Delete(partial);
        }
        LogWritten(logger, content.Subject, written);
    }

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "No SMTP server is configured: wrote \"{Subject}\" to {Path}.")]
    private static partial void LogWritten(ILogger logger, string subject, string path);
}
