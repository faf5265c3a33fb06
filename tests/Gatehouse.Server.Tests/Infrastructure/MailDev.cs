using System.Net.Http.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Gatehouse.Server.Tests.Infrastructure;

/// <summary>Reads what reached the real SMTP server (maildev's REST API).</summary>
public static partial class MailDev
{
    private static readonly HttpClient Http = new() { BaseAddress = TestEnvironment.MailDevUrl, Timeout = TimeSpan.FromSeconds(10) };

    public sealed record Address([property: JsonPropertyName("address")] string Value);

    public sealed record Message(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("subject")] string Subject,
        [property: JsonPropertyName("text")] string? Text,
        [property: JsonPropertyName("html")] string? Html,
        [property: JsonPropertyName("to")] IReadOnlyList<Address> To)
    {
        /// <summary>The first link in the text part.</summary>
        public string Link => LinkPattern().Match(Text ?? "") is { Success: true } m ? m.Value : throw new InvalidOperationException("No link in: " + Text);

        /// <summary>The <c>token</c> query parameter of the link.</summary>
        public string Token => Query(Link, "token");
    }

    public static async Task<IReadOnlyList<Message>> ForAsync(string recipient) =>
        await Http.GetFromJsonAsync<List<Message>>($"/email?to.address={Uri.EscapeDataString(recipient)}") ?? [];

    /// <summary>Waits for a message to the recipient whose subject contains <paramref name="subjectPart"/>.</summary>
    public static async Task<Message> WaitForAsync(string recipient, string subjectPart, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = (await ForAsync(recipient)).Where(m => m.Subject.Contains(subjectPart, StringComparison.OrdinalIgnoreCase)).ToList();
            if (found.Count >= count)
            {
                return found[count - 1];
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No message '{subjectPart}' #{count} reached {recipient}; it has: {string.Join(", ", (await ForAsync(recipient)).Select(m => m.Subject))}");
            }
            await Task.Delay(100);
        }
    }

    public static string Query(string url, string name)
    {
        var query = new Uri(url).Query.TrimStart('?');
        foreach (var pair in query.Split('&'))
        {
            var parts = pair.Split('=', 2);
            if (parts[0] == name)
            {
                return Uri.UnescapeDataString(parts.Length > 1 ? parts[1] : "");
            }
        }
        throw new InvalidOperationException($"No '{name}' in {url}");
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex LinkPattern();
}
