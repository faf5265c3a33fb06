using System.Globalization;

namespace Gatehouse.Core.Accounts;

/// <summary>Case-insensitive keys for emails and usernames, enforced unique by the database.</summary>
public static class Normalizer
{
    public static string Email(string email) => email.Trim().ToUpperInvariant();

    public static string Username(string username) => username.Trim().ToUpperInvariant();

    /// <summary>A light syntactic check (RFC 5321 lengths, one @, a dot in the domain, no spaces).</summary>
    public static bool IsValidEmail(string? email)
    {
        if (string.IsNullOrWhiteSpace(email) || email.Length > 254)
        {
            return false;
        }
        var at = email.LastIndexOf('@');
        if (at <= 0 || at > 64 || at == email.Length - 1 || email.IndexOf('@') != at)
        {
            return false;
        }
        var domain = email.AsSpan(at + 1);
        if (domain.IndexOf('.') <= 0 || domain[^1] == '.')
        {
            return false;
        }
        foreach (var c in email)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '<' or '>' or '(' or ')' or ',' or ';' or ':' or '\\' or '"' or '[' or ']')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Usernames: letters, digits, <c>_ . -</c>; 1 to 64 characters.</summary>
    public static bool IsValidUsername(string? username)
    {
        if (string.IsNullOrEmpty(username) || username.Length > 64)
        {
            return false;
        }
        foreach (var c in username)
        {
            if (!(char.IsLetterOrDigit(c) || c is '_' or '.' or '-'))
            {
                return false;
            }
        }
        return CharUnicodeInfo.GetUnicodeCategory(username[0]) != UnicodeCategory.Control;
    }
}
