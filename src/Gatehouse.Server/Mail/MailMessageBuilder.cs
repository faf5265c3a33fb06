using System.Diagnostics.CodeAnalysis;
using System.Text;
using Gatehouse.Core.Mail;
using MimeKit;
using MimeKit.Utils;

namespace Gatehouse.Server.Mail;

/// <summary>
/// The MIME message both transports deliver: From, To, Subject, Date, Message-Id and a
/// multipart/alternative body (the text part first, so a reader without HTML shows it).
/// </summary>
internal static class MailMessageBuilder
{
    // The sender is checked strictly at start-up: an address without a domain would be sent as
    // is by a lenient parser and refused (or rewritten) by the first relay.
    private static readonly ParserOptions StrictAddresses = new()
    {
        AllowAddressesWithoutDomain = false,
        AddressParserComplianceMode = RfcComplianceMode.Strict,
    };

    public static bool TryParseSender(string value, [NotNullWhen(true)] out MailboxAddress? sender) =>
        MailboxAddress.TryParse(StrictAddresses, value, out sender) && sender.Domain.Length > 0;

    /// <param name="eightBit">Leave the parts unencoded (for .eml files a developer reads); otherwise the SMTP client picks an encoding the server accepts.</param>
    public static MimeMessage Build(MailContent content, string from, DateTimeOffset date, bool eightBit = false)
    {
        if (!TryParseSender(from, out var sender))
        {
            throw new InvalidOperationException("Gatehouse:Smtp:From is not an email address; start-up validation should have stopped the server.");
        }
        var text = new TextPart(MimeKit.Text.TextFormat.Plain);
        text.SetText(Encoding.UTF8, content.TextBody);
        var html = new TextPart(MimeKit.Text.TextFormat.Html);
        html.SetText(Encoding.UTF8, content.HtmlBody);
        if (eightBit)
        {
            text.ContentTransferEncoding = ContentEncoding.EightBit;
            html.ContentTransferEncoding = ContentEncoding.EightBit;
        }
        var message = new MimeMessage
        {
            Subject = content.Subject,
            Date = date,
            MessageId = MimeUtils.GenerateMessageId(sender.Domain),
            Body = new Multipart("alternative") { text, html },
        };
        message.From.Add(sender);
        // The recipient is taken as one addr-spec (never parsed as a list or a display name), so a
        // stored address cannot add recipients.
        message.To.Add(new MailboxAddress(string.Empty, content.Recipient));
        return message;
    }
}
