// Quay-style generated avatar: the first letter of the name on the colour the server chose for it.
export function EntityAvatar({
  avatar,
  size = 24,
}: {
  avatar: { name: string; color: string };
  size?: number;
}) {
  return (
    <span
      aria-hidden
      style={{
        display: "inline-flex",
        alignItems: "center",
        justifyContent: "center",
        width: size,
        height: size,
        borderRadius: "50%",
        background: avatar.color,
        color: "#fff",
        fontSize: size * 0.55,
        fontWeight: 600,
        flex: "none",
        textTransform: "uppercase",
      }}
    >
      {avatar.name.charAt(0)}
    </span>
  );
}
