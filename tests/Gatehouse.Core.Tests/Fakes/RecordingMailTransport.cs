using Gatehouse.Core.Mail;

namespace Gatehouse.Core.Tests.Fakes;

/// <summary>Records every message it is asked to send; can be told to fail the next sends.</summary>
internal sealed class RecordingMailTransport : IMailTransport
{
    private readonly Lock _lock = new();
    private readonly List<MailContent> _sent = [];
    private int _failuresLeft;

    /// <summary>Runs inside each send, before it is recorded (to play something happening mid-delivery).</summary>
    public Func<MailContent, Task>? DuringSend { get; set; }

    public IReadOnlyList<MailContent> Sent
    {
        get
        {
            lock (_lock)
            {
                return _sent.ToList();
            }
        }
    }

    /// <summary>The next <paramref name="count"/> sends throw, as an unreachable SMTP server would.</summary>
    public void FailNext(int count) => _failuresLeft = count;

    public async Task SendAsync(MailContent content, CancellationToken cancellationToken)
    {
        if (DuringSend is { } during)
        {
            await during(content);
        }
        if (_failuresLeft > 0)
        {
            _failuresLeft--;
            throw new IOException("The SMTP server is unreachable.");
        }
        lock (_lock)
        {
            _sent.Add(content);
        }
    }
}
