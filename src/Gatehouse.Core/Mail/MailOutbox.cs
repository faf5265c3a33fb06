using System.Text.Json;
using Gatehouse.Core.Common;

namespace Gatehouse.Core.Mail;

/// <summary>
/// Renders a message and adds it to the outbox of the current unit of work, so it is saved in
/// the same transaction as the change that causes it (no lost and no phantom emails).
/// </summary>
public sealed class MailOutbox(IOutboxRepository outbox, ISecretProtector protector, TimeProvider time)
{
    public void Enqueue(MailIntent intent, string recipient, MailModel model)
    {
        var (subject, text, html) = MailTemplates.Render(intent, model);
        var now = time.GetUtcNow();
        outbox.Add(new OutboxMessage
        {
            Intent = intent.ToString(),
            Recipient = recipient,
            Subject = subject,
            ProtectedBody = protector.Protect(JsonSerializer.Serialize(new StoredBody(text, html), MailJsonContext.Default.StoredBody)),
            CreatedAt = now,
            NextAttemptAt = now,
        });
    }

    /// <summary>Decrypts a stored message for delivery.</summary>
    public static MailContent Open(OutboxMessage message, ISecretProtector protector)
    {
        var body = JsonSerializer.Deserialize(protector.Unprotect(message.ProtectedBody), MailJsonContext.Default.StoredBody)
            ?? throw new InvalidOperationException($"Outbox message {message.Id} has an empty body.");
        return new MailContent(message.Recipient, message.Subject, body.Text, body.Html);
    }
}

internal sealed record StoredBody(string Text, string Html);

[System.Text.Json.Serialization.JsonSerializable(typeof(StoredBody))]
internal sealed partial class MailJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
