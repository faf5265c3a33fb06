using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>Reads the outbox table of a test database directly: what was queued, and what became of it.</summary>
public static class Outbox
{
    public sealed record Row(long Id, string Subject, int Attempts, bool Sent, bool GaveUp, string? LastError)
    {
        /// <summary>Neither sent nor given up: the dispatcher still owes it.</summary>
        public bool Pending => !Sent && !GaveUp;
    }

    public static async Task<IReadOnlyList<Row>> ForAsync(TestDatabase database, string recipient)
    {
        await using DbConnection connection = database.Provider == "sqlite"
            ? new SqliteConnection(database.ConnectionString)
            : new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, subject, attempts, sent_at, failed_at, last_error FROM outbox_messages WHERE recipient = @recipient ORDER BY id";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "recipient";
        parameter.Value = recipient;
        command.Parameters.Add(parameter);
        var rows = new List<Row>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(new Row(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt32(2),
                !reader.IsDBNull(3),
                !reader.IsDBNull(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return rows;
    }

    /// <summary>Waits until the recipient's rows satisfy <paramref name="condition"/>, and returns them.</summary>
    public static async Task<IReadOnlyList<Row>> WaitUntilAsync(TestDatabase database, string recipient, Func<IReadOnlyList<Row>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var rows = await ForAsync(database, recipient);
            if (condition(rows))
            {
                return rows;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The outbox of {recipient} never got to {what}; it has: " +
                    string.Join("; ", rows.Select(r => $"#{r.Id} '{r.Subject}' attempts {r.Attempts}, sent {r.Sent}, gave up {r.GaveUp}, error {r.LastError}")));
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Waits until nothing for the recipient is left to send, and returns the rows.</summary>
    public static Task<IReadOnlyList<Row>> WaitUntilDeliveredAsync(TestDatabase database, string recipient) =>
        WaitUntilAsync(database, recipient, rows => rows.All(r => !r.Pending), "nothing left to send");
}
