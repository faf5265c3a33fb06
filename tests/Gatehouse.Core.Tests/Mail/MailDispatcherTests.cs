using Gatehouse.Core.Mail;
using Gatehouse.Core.Tests.Fakes;

namespace Gatehouse.Core.Tests.Mail;

/// <summary>MailOutbox and MailDispatcher: at-least-once delivery from the outbox.</summary>
public sealed class MailDispatcherTests
{
    private readonly CoreHarness _h = new();

    /// <summary>Queues <paramref name="count"/> messages in one saved unit of work.</summary>
    private async Task QueueAsync(int count = 1, string recipient = "ada@example.com")
    {
        var scope = _h.Scope();
        for (var i = 0; i < count; i++)
        {
            scope.Mail.Enqueue(MailIntent.PasswordReset, recipient, new MailModel("Ada", $"https://auth.test/reset?token=secret-{i}"));
        }
        await scope.UnitOfWork.SaveChangesAsync();
    }

    private OutboxMessage Row() => Assert.Single(_h.OutboxRows());

    [Fact]
    public async Task A_queued_message_is_sent_once_and_its_body_wiped()
    {
        await QueueAsync();

        var sent = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);
        var again = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal((1, 0), (sent, again));
        var mail = Assert.Single(_h.MailTransport.Sent);
        Assert.Equal("ada@example.com", mail.Recipient);
        Assert.Equal("Reset your Gatehouse password", mail.Subject);
        Assert.Contains("https://auth.test/reset?token=secret-0", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("href=\"https://auth.test/reset?token=secret-0\"", mail.HtmlBody, StringComparison.Ordinal);
        var row = Row();
        Assert.Equal(CoreHarness.Start, row.SentAt);
        Assert.Equal("", row.ProtectedBody);
        Assert.Equal(1, row.Attempts);
    }

    [Fact]
    public async Task A_message_is_stored_protected_until_it_is_sent()
    {
        await QueueAsync();

        Assert.DoesNotContain("secret-0", Row().ProtectedBody, StringComparison.Ordinal);
        Assert.Contains("secret-0", MailOutbox.Open(Row(), _h.Protector).TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_is_queued_unless_the_unit_of_work_is_saved()
    {
        _h.Scope().Mail.Enqueue(MailIntent.PasswordReset, "ada@example.com", new MailModel(null, "https://auth.test/x"));

        Assert.Empty(_h.OutboxRows());
        Assert.Equal(0, await _h.Dispatcher.DispatchDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_delivery_is_retried_after_a_backoff_that_doubles()
    {
        await QueueAsync();
        _h.MailTransport.FailNext(3);

        var waits = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, await _h.Dispatcher.DispatchDueAsync(CancellationToken.None));
            waits.Add(Row().NextAttemptAt - _h.Clock.GetUtcNow());
            // Not due before the backoff has passed.
            _h.Clock.Advance(waits[^1] - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, await _h.Dispatcher.DispatchDueAsync(CancellationToken.None));
            _h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        }
        var sent = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20)], waits);
        Assert.Equal(1, sent);
        Assert.Equal(4, Row().Attempts);
        Assert.Null(Row().LastError);
        Assert.Single(_h.MailTransport.Sent);
    }

    [Fact]
    public async Task A_failed_attempt_records_what_went_wrong()
    {
        await QueueAsync();
        _h.MailTransport.FailNext(1);

        await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal("IOException: The SMTP server is unreachable.", Row().LastError);
        Assert.Null(Row().FailedAt);
        Assert.NotEqual("", Row().ProtectedBody);
    }

    [Fact]
    public async Task A_message_is_given_up_after_the_last_attempt()
    {
        await QueueAsync();
        _h.MailTransport.FailNext(MailDispatcher.MaxAttempts);

        for (var i = 0; i < MailDispatcher.MaxAttempts; i++)
        {
            await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);
            _h.Clock.Advance(TimeSpan.FromHours(2));
        }

        Assert.Equal(CoreHarness.Start + TimeSpan.FromHours(2 * (MailDispatcher.MaxAttempts - 1)), Row().FailedAt);
        Assert.Equal(MailDispatcher.MaxAttempts, Row().Attempts);
        Assert.Equal(0, await _h.Dispatcher.DispatchDueAsync(CancellationToken.None));
        Assert.Empty(_h.MailTransport.Sent);
    }

    [Fact]
    public async Task The_last_retry_waits_five_seconds_doubled_eight_times()
    {
        await QueueAsync();
        _h.MailTransport.FailNext(MailDispatcher.MaxAttempts - 1);

        for (var i = 0; i < MailDispatcher.MaxAttempts - 1; i++)
        {
            await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);
            if (i < MailDispatcher.MaxAttempts - 2)
            {
                _h.Clock.Advance(TimeSpan.FromHours(2));
            }
        }

        // After the ninth failed attempt: 5 s * 2^8. The 3600 s cap is never reached within MaxAttempts.
        Assert.Equal(TimeSpan.FromSeconds(1280), Row().NextAttemptAt - _h.Clock.GetUtcNow());
    }

    [Fact]
    public async Task A_message_claimed_by_one_dispatcher_is_not_sent_by_another()
    {
        await QueueAsync();
        var secondRun = -1;
        // While the first dispatcher is delivering, a second one (another instance) looks for work.
        _h.MailTransport.DuringSend = async _ =>
        {
            _h.MailTransport.DuringSend = null;
            secondRun = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);
        };

        var firstRun = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal((1, 0), (firstRun, secondRun));
        Assert.Single(_h.MailTransport.Sent);
    }

    [Fact]
    public async Task A_dispatcher_that_read_the_message_before_another_claimed_it_cannot_claim_it()
    {
        await QueueAsync();
        var stale = (await _h.Scope().Outbox.ListDueAsync(_h.Clock.GetUtcNow(), 20)).Single();
        await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.False(await _h.Scope().Outbox.TryClaimAsync(stale.Id, stale.Attempts, _h.Clock.GetUtcNow().AddMinutes(2)));
    }

    [Fact]
    public async Task A_delivery_cut_off_by_shutdown_is_sent_again_once_its_lease_ends()
    {
        await QueueAsync();
        using var stopping = new CancellationTokenSource();
        _h.MailTransport.DuringSend = _ =>
        {
            _h.MailTransport.DuringSend = null;
            stopping.Cancel();
            throw new OperationCanceledException(stopping.Token);
        };

        await Assert.ThrowsAsync<OperationCanceledException>(() => _h.Dispatcher.DispatchDueAsync(stopping.Token));
        _h.Clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromMilliseconds(1));
        var duringLease = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);
        _h.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var afterLease = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal((0, 1), (duringLease, afterLease));
        Assert.Equal(2, Row().Attempts);
    }

    [Fact]
    public async Task A_run_sends_at_most_twenty_messages_oldest_first()
    {
        await QueueAsync(25);

        var first = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);
        var second = await _h.Dispatcher.DispatchDueAsync(CancellationToken.None);

        Assert.Equal((20, 5), (first, second));
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"secret-{i}"), _h.MailTransport.Sent.Select(m => m.TextBody.Split("token=")[1].Split('\n')[0]));
    }

    [Fact]
    public async Task One_failing_message_does_not_hold_back_the_others()
    {
        await QueueAsync(3);
        _h.MailTransport.FailNext(1);

        Assert.Equal(2, await _h.Dispatcher.DispatchDueAsync(CancellationToken.None));
    }

    [Fact]
    public void Templates_encode_what_they_show_in_html()
    {
        var (_, text, html) = MailTemplates.Render(MailIntent.Invitation, new MailModel("<Eve>", "https://auth.test/a?b=1&c=2"));

        Assert.Contains("Hello <Eve>,", text, StringComparison.Ordinal);
        Assert.Contains("Hello &lt;Eve&gt;,", html, StringComparison.Ordinal);
        Assert.Contains("https://auth.test/a?b=1&amp;c=2", html, StringComparison.Ordinal);
    }
}
