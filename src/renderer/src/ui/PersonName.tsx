import './names.css'

interface Props {
  alias: string
  displayName?: string | undefined
  /** Test ids of the chosen name and the alias, where tests look them up. */
  testIds?: { chosen: string; alias: string }
}

/**
 * One person's name as everywhere in the app: the name they chose (it reached us signed by their key) as
 * the primary name, their key's three-word alias beside it as secondary text; the alias alone when they
 * chose none. The primary name never gives way to the alias when space runs short.
 */
export function PersonName({ alias, displayName, testIds }: Props) {
  return (
    <span className="person-name">
      {displayName && (
        <strong className="primary-name" data-testid={testIds?.chosen}>
          {displayName}
        </strong>
      )}
      <span className={displayName ? 'secondary-name' : 'primary-name'} data-testid={testIds?.alias}>
        {alias}
      </span>
    </span>
  )
}
